/* 學生學習歷程檔案系統: the one shared script of every page.
   Talks to the API (same origin, JSON, the session cookie), draws the
   header and navigation for the signed-in user's roles, and puts every
   API error into words: the API's own message (Traditional Chinese, with
   the specifics), or WORDS where an error has none in Chinese (network
   errors, answers that are not JSON). Each page adds its own small script
   in js/. */
'use strict';

(function () {
  var API = 'api'; // relative: the API lives beside the pages (/api/)

  /* ---------- errors in words ---------- */

  /* the words for an error code, where the answer brings none of its own */
  var WORDS = {
    invalid_credentials: '帳號或密碼錯誤。',
    too_many_attempts: '密碼錯誤次數過多，請稍候再試。',
    account_disabled: '此帳號已停用，請洽學校管理者。',
    account_expired: '此帳號已過期，請洽學校管理者。',
    unauthenticated: '請先登入。',
    session_expired: '登入已逾時，請重新登入。',
    password_change_required: '請先變更初始密碼。',
    wrong_password: '目前的密碼不正確。',
    weak_password: '新密碼不符合規則：至少 8 個字元、不可與目前密碼相同、不可包含帳號。',
    forbidden: '您沒有執行這個動作的權限。',
    out_of_scope: '這筆資料不在您的權限範圍內。',
    cross_site_request: '請從本系統的頁面操作（跨站請求已被拒絕）。',
    not_found: '找不到這筆資料。',
    method_not_allowed: '系統不接受這個操作。',
    conflict: '資料已被變更，請重新整理後再試。',
    body_too_large: '檔案或資料太大，系統不接受。',
    length_required: '無法得知檔案大小，請重新選擇檔案。',
    file_too_large: '檔案太大：文件（pdf、jpg、png）上限 4 MB，影音（mp3、mp4）上限 10 MB。',
    quota_exceeded: '超過您的儲存空間上限，請先刪除不需要的草稿再上傳。',
    unsupported_file_type: '檔案格式不符：文件只接受 pdf、jpg、png，影音只接受 mp3、mp4。系統依檔案內容判斷，只改副檔名無效。',
    unsupported_media_type: '檔案或資料的格式不符。',
    empty_file: '檔案是空的，請選擇有內容的檔案。',
    window_closed: '現在不在作業期間內。',
    limit_reached: '已達數量上限。',
    not_enrolled: '您該學期沒有修習這門課程。',
    not_credit_bearing: '這門課程沒有學分，不能上傳課程學習成果。',
    description_too_long: '內容簡述最多 100 個字。',
    no_file: '請先上傳檔案，再送出認證。',
    no_reviewer: '這門課程沒有認證教師，請洽教務處。',
    not_draft: '已送出認證的學習成果不能再修改或刪除。',
    not_owner: '這不是您的學習成果。',
    not_passed: '只有認證通過的學習成果可以勾選。',
    not_reviewer: '您不是這份學習成果的認證教師。',
    not_pending: '這份學習成果不是待認證狀態（可能已發佈）。',
    note_too_long: '評語最多 100 個字。',
    undecided: '尚未選擇通過或不通過。',
    invalid_rows: '檔案中有資料錯誤，整個檔案都沒有匯入。',
    invalid_term: '學期格式不正確（例如 115-1）。',
    unknown_kind: '沒有這種匯入資料。',
    unknown_setting: '沒有這個參數。',
    out_of_range: '數值超出允許的範圍。',
    invalid_window: '開始時間必須早於結束時間。',
    outside_city_window: '學校的作業期間必須在臺北市設定的期間之內。',
    outside_nation_window: '學校的作業期間必須在國教署設定的期間之內。',
    not_a_teacher: '指定的帳號不是本校教師。',
    invalid_field: '資料欄位不正確。',
    invalid_record: '資料紀錄不正確。',
    invalid_body: '送出的資料不正確。',
    bad_json: '送出的資料格式錯誤。',
    bad_request: '請求不正確。',
    file_missing: '檔案遺失，請洽學校管理者。',
    busy: '系統忙碌中，請稍候再試。',
    storage_unavailable: '系統儲存暫時無法使用，請稍候再試。',
    internal: '系統發生錯誤，請稍候再試。',
    network: '無法連線到伺服器，請檢查網路後再試。',
    role_from_sis: '這個角色由校務行政系統帶入，不能在這裡授予或取消。',
    role_not_grantable: '這個角色不能授予。',
    unknown_role: '沒有這個角色。',
    not_staff: '學生或家長帳號不能授予教職員角色。',
    own_admin_role: '不能取消自己的校管理者角色。',
    invalid_expiry: '到期時間不正確：必須是未來的時間，且不可超過允許的天數。',
    not_a_student: '這個帳號不是本校學生。',
    unavailable: '系統暫時無法處理，請稍候再試。',
    directory_unavailable: '臺北市單一身分驗證服務暫時無法連線，請稍候再試，或改用本系統帳號密碼登入。',
    directory_required: '您的帳號只能以單一身分驗證登入，不能解除綁定。',
    directory_not_allowed: '本校未開放單一身分驗證登入。',
    directory_not_configured: '本系統尚未設定臺北市單一身分驗證服務。',
    no_route: '這項功能伺服器尚未提供。',
    domain_taken: '這個學校網域名稱已有學校使用。',
    code_taken: '這個學校代碼已有學校使用。',
    invalid_domain: '學校網域名稱不正確：2 到 16 個小寫英文字母或數字，頭尾是英文字母。',
    invalid_name: '學校名稱不正確。',
    invalid_code: '學校代碼不正確：教育部編定的 6 位數字。',
    invalid_national_id: '身分證字號不正確，請再核對一次。'
  };

  var HAN = /[\u3400-\u9fff]/;
  /* the API's message when it is in words for people (it carries the
     specifics: the column, the row, the counts), else '' */
  function ownWords(msg) {
    msg = String(msg || '').trim();
    if (!HAN.test(msg)) return '';
    return /[。！？]$/.test(msg) ? msg : msg + '。';
  }
  /* a route this server does not have (an older server, a plugin not
     loaded): 404 not_found with the router's words, English or Chinese */
  function noRoute(err) {
    return !!err && err.status === 404 && err.code === 'not_found' &&
      /no such route|伺服器沒有這項功能/.test(err.message || '');
  }

  var WEAK = [
    [/at least (\d+)/, function (m) { return '新密碼至少要 ' + m[1] + ' 個字元。'; }],
    [/differ/, function () { return '新密碼不可與目前的密碼相同。'; }],
    [/account name/, function () { return '新密碼不可包含帳號。'; }]
  ];

  function ApiError(status, code, message, body, retryAfter) {
    this.name = 'ApiError';
    this.status = status;
    this.code = code || 'internal';
    this.message = message || '';
    this.body = body || null;
    this.retryAfter = retryAfter || null;
  }
  ApiError.prototype = Object.create(Error.prototype);

  /* The words for an error: {text, detail, code, status}. The API's own
     message when it has one in Chinese; else the code's WORDS (with the
     counts and the window read from an English message of a server not
     yet in Chinese). No English line is shown: detail is ''. `what`
     names the thing a limit is about ("上傳", "勾選") for limit_reached. */
  function explain(err, what) {
    if (!(err instanceof ApiError)) {
      if (window.console) console.error(err);
      return { text: '發生未預期的錯誤，請重新整理頁面後再試。', detail: '' };
    }
    var code = err.code, msg = err.message || '', text = ownWords(msg);
    if (noRoute(err)) code = 'no_route';
    if (!text) text = fallback(err, code, msg, what);
    if (err.retryAfter && !/秒後/.test(text)) text += '請於 ' + err.retryAfter + ' 秒後再試。';
    return { text: text, detail: '', code: err.code, status: err.status };
  }

  function fallback(err, code, msg, what) {
    var text = WORDS[code] || ('系統回應錯誤（' + err.status + '）。');
    if (code === 'weak_password') {
      for (var i = 0; i < WEAK.length; i++) {
        var m = msg.match(WEAK[i][0]);
        if (m) { text = WEAK[i][1](m); break; }
      }
    }
    if (code === 'limit_reached') {
      var n = msg.match(/\((\d+)\/(\d+)\)/);
      text = '已達' + (what || '') + '數量上限' + (n ? ' (' + n[1] + '/' + n[2] + ')' : '') + '。';
      if (/subject/.test(msg)) text = '這個科目本學期' + text;
      else if (/year/.test(msg)) text = '本學年' + text;
      else if (/term/.test(msg)) text = '本學期' + text;
    }
    if (code === 'window_closed') {
      var k = msg.match(/the (upload|certify|select) window/);
      if (k) text = '現在不在' + WINDOW_KIND[k[1]] + '的作業期間內。';
      if (/no \w+ window is set/.test(msg)) text = text.replace('。', '（學校尚未設定期間）。');
    }
    return text;
  }

  /* ---------- the API ---------- */

  function parseBody(text) {
    if (!text) return null;
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function toError(status, body, retryAfter) {
    var e = body && body.error;
    if (e) return new ApiError(status, e.code, e.message, body, retryAfter);
    return new ApiError(status, status === 413 ? 'body_too_large' : 'internal',
                        'HTTP ' + status, body, retryAfter);
  }

  /* api(method, path, body?, opts?): JSON in and out. opts.raw: a Blob or
     File sent as is, with opts.type as its Content-Type. */
  function api(method, path, body, opts) {
    opts = opts || {};
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (opts.raw !== undefined) {
      init.body = opts.raw;
      init.headers['Content-Type'] = opts.type || 'application/octet-stream';
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (text) {
        var json = parseBody(text);
        if (res.ok) return json || {};
        var err = toError(res.status, json, res.headers.get('Retry-After'));
        if (!opts.noRedirect) {
          if (err.code === 'unauthenticated' || err.code === 'session_expired') {
            goSignIn(err.code);
          } else if (err.code === 'password_change_required') {
            location.href = 'password.html';
          }
        }
        throw err;
      });
    }, function (e) {
      throw new ApiError(0, 'network', String(e && e.message || e));
    });
  }

  /* putFile(path, file, onProgress): the file as the raw body, by
     XMLHttpRequest so the page can show the upload's progress. */
  var FILE_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'audio/mpeg', 'video/mp4'];
  function putFile(path, file, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open('PUT', API + path);
      x.setRequestHeader('Content-Type', FILE_TYPES.indexOf(file.type) >= 0 ? file.type : 'application/octet-stream');
      x.setRequestHeader('Accept', 'application/json');
      if (x.upload && onProgress) {
        x.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded, e.total); };
      }
      x.onload = function () {
        var json = parseBody(x.responseText);
        if (x.status >= 200 && x.status < 300) {
          if (onProgress) onProgress(file.size, file.size);
          resolve(json || {});
        } else {
          reject(toError(x.status, json, x.getResponseHeader('Retry-After')));
        }
      };
      x.onerror = function () { reject(new ApiError(0, 'network', 'the upload was cut off')); };
      x.send(file);
    });
  }

  /* ---------- small helpers ---------- */

  /* h('tag.class#id', {attr: value, on: {click: fn}}, children...) */
  function h(spec, attrs) {
    var m = spec.match(/^([a-z0-9]+)((?:[.#][\w-]+)*)$/i), el = document.createElement(m[1]);
    (m[2].match(/[.#][\w-]+/g) || []).forEach(function (p) {
      if (p[0] === '.') el.classList.add(p.slice(1)); else el.id = p.slice(1);
    });
    var kids = Array.prototype.slice.call(arguments, 2);
    if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
      kids.unshift(attrs); attrs = null;
    }
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'on') Object.keys(v).forEach(function (ev) { el.addEventListener(ev, v[ev]); });
        else if (k === 'text') el.textContent = v;
        else if (k in el && typeof v !== 'string') el[k] = v;
        else el.setAttribute(k, v === true ? '' : v);
      });
    }
    append(el, kids);
    return el;
  }
  function append(el, kids) {
    kids.forEach(function (k) {
      if (k === null || k === undefined || k === false) return;
      if (Array.isArray(k)) append(el, k);
      else el.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
    });
    return el;
  }
  function $(sel, root) { return (root || document).querySelector(sel); }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  var TZ = 'Asia/Taipei';
  function parts(ms) {
    var f = new Intl.DateTimeFormat('en-GB', {
      timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hour12: false
    });
    var o = {};
    f.formatToParts(new Date(ms)).forEach(function (p) { o[p.type] = p.value; });
    if (o.hour === '24') o.hour = '00';
    return o;
  }
  /* Taiwan time in the ROC calendar, as the school screens show it: 115/03/21 09:32 */
  function fmtTime(ms) {
    if (ms === null || ms === undefined || ms === '') return '—';
    var o = parts(ms);
    return (Number(o.year) - 1911) + '/' + o.month + '/' + o.day + ' ' + o.hour + ':' + o.minute;
  }
  function fmtDate(ms) { return fmtTime(ms).split(' ')[0]; }
  /* for <input type="datetime-local">, Taiwan time */
  function localInput(ms) {
    var o = parts(ms);
    return o.year + '-' + o.month + '-' + o.day + 'T' + o.hour + ':' + o.minute;
  }
  function fmtBytes(n) {
    if (n === null || n === undefined) return '—';
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    return (n / 1048576).toFixed(2) + ' MB';
  }
  function termLabel(t) {
    var m = /^(\d+)-(\d)$/.exec(t || '');
    return m ? m[1] + '學年度第' + m[2] + '學期' : (t || '');
  }
  /* the term a date falls in: August to January is the first semester */
  function currentTerm(d) {
    var o = parts((d || new Date()).getTime()), y = Number(o.year), mo = Number(o.month);
    if (mo >= 8) return (y - 1911) + '-1';
    if (mo === 1) return (y - 1912) + '-1';
    return (y - 1912) + '-2';
  }
  function compareTerms(a, b) {
    var x = a.split('-'), y = b.split('-');
    return (Number(x[0]) - Number(y[0])) || (Number(x[1]) - Number(y[1]));
  }

  var STATUS = { draft: '草稿（未送出）', pending: '待認證', passed: '通過', failed: '不通過' };
  var KIND = { normal: '一般', make_up: '補修', retake: '重修', repeat: '重讀', transfer: '轉學轉科', visiting: '借讀', night: '進修部' };
  var WINDOW_KIND = { upload: '上傳學習成果', certify: '認證學習成果', select: '勾選學習成果' };
  var ROLE = {
    student: '學生', teacher: '教師', homeroom: '導師', course_teacher: '授課教師', counselor: '輔導教師',
    consultant: '課程諮詢教師', outcome_submitter: '學習成果提交人員', performance_submitter: '多元表現提交人員',
    school_admin: '校管理者', city_admin: '教育局', parent: '家長', university: '大學校系', standin: '代理人'
  };
  function statusBadge(status) {
    return h('span.status.' + status, STATUS[status] || status);
  }

  /* ---------- messages ---------- */

  /* show(box, kind, text, detail?): a message in a box; errors are alerts.
     detail, a second line in words, is for the page's own explanations
     (an error's words are all in text). */
  function show(box, kind, text, detail) {
    if (typeof box === 'string') box = $(box);
    clear(box);
    box.className = 'msg ' + kind;
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    if (!text) return box;
    box.appendChild(h('p', text));
    if (detail) box.appendChild(h('span.detail', detail));
    return box;
  }
  function showError(box, err, what) {
    var w = explain(err, what);
    show(box, 'error', w.text, w.detail);
    return w;
  }
  function hide(box) { if (typeof box === 'string') box = $(box); clear(box); box.className = 'msg'; }

  /* ---------- session, header and navigation ---------- */

  var TEACHING = ['teacher', 'homeroom', 'course_teacher', 'counselor', 'consultant', 'standin'];
  function hasAny(roles, list) { return roles.some(function (r) { return list.indexOf(r) >= 0; }); }
  function isStudent(u) { return u.roles.indexOf('student') >= 0; }
  function isTeacher(u) { return hasAny(u.roles, TEACHING); }
  /* the school pages work on the account's own school: a city admin's
     "school" is the city, no school, so those pages are not theirs
     (city.html is; the API takes any school's path) */
  function isAdmin(u) { return u.roles.indexOf('school_admin') >= 0; }
  function isCity(u) { return u.roles.indexOf('city_admin') >= 0; }

  function home(u) {
    if (isStudent(u)) return 'student.html';
    if (isCity(u)) return 'city.html';
    if (isAdmin(u)) return 'admin.html';
    if (isTeacher(u)) return 'teacher.html';
    return 'password.html';
  }

  function pageName() {
    var p = location.pathname.split('/').pop();
    return p || 'index.html';
  }
  function goSignIn(why) {
    var next = pageName();
    location.href = 'index.html' + (next !== 'index.html' ? '?next=' + encodeURIComponent(next + location.search) + (why ? '&why=' + why : '') : '');
  }
  function safeNext(next) {
    return /^[a-z-]+\.html(\?[\w=&%.-]*)?$/.test(next || '') && !/^index\.html/.test(next) ? next : null;
  }

  var NAV = [
    { href: 'student.html', text: '我的學習狀態', when: isStudent },
    { href: 'courses.html', text: '修課紀錄', when: isStudent },
    { href: 'upload.html', text: '上傳學習成果', when: isStudent },
    { href: 'results.html', text: '學習成果認證', when: isStudent },
    { href: 'select.html', text: '勾選學習成果', when: isStudent },
    { href: 'teacher.html', text: '認證學習成果', when: isTeacher, badge: 'cert' },
    { href: 'city.html', text: '學校管理', when: isCity },
    { href: 'admin.html', text: '系統管理', when: isAdmin },
    { href: 'import.html', text: '匯入校務資料', when: isAdmin },
    { href: 'windows.html', text: '作業期間與參數', when: isAdmin },
    { href: 'roles.html', text: '維護角色權限', when: isAdmin },
    { href: 'accounts.html', text: '臨時帳號', when: isAdmin },
    { href: 'verify.html', text: '驗證檔案', when: isAdmin }
  ];

  function signOut() {
    return api('DELETE', '/session', undefined, { noRedirect: true }).catch(function () {})
      .then(function () { location.href = 'index.html?bye=1'; });
  }

  function drawHeader(me, school) {
    var u = me.user, here = pageName();
    var slot = $('#site-header');
    if (!slot) return;
    var roles = u.roles.map(function (r) { return ROLE[r] || r; }).join('、');
    var items = me.must_change_password ? [] : NAV.filter(function (n) { return n.when(u); });
    var ul = h('ul');
    items.forEach(function (n) {
      var a = h('a', { href: n.href }, n.text);
      if (n.href === here) a.setAttribute('aria-current', 'page');
      if (n.badge) a.appendChild(h('span.badge#nav-badge-' + n.badge, { hidden: true }));
      ul.appendChild(h('li', a));
    });
    clear(slot);
    slot.appendChild(h('header.site-header',
      h('div.bar',
        h('a.site-title', { href: me.must_change_password ? 'password.html' : home(u) },
          '臺北市學生學習歷程檔案系統', h('small', school ? school.name : '學生學習歷程檔案')),
        h('div.who',
          h('span', h('span.visually-hidden', '目前登入：'), u.name + '（' + roles + '）'),
          h('a', { href: 'password.html', style: 'color:#fff' }, '變更密碼'),
          h('button', { type: 'button', id: 'signout', on: { click: signOut } }, '登出')))));
    if (items.length) slot.appendChild(h('nav.main-nav', { 'aria-label': '主要功能' }, ul));
  }

  /* the waiting count on the teachers' menu item (T1) */
  function certBadge(count) {
    var b = document.getElementById('nav-badge-cert');
    if (!b) return;
    b.textContent = count;
    b.hidden = !count;
    b.setAttribute('aria-label', '待認證 ' + count + ' 筆');
  }

  /* start(opts, fn): a signed-in page. opts.need: a role test (isStudent,
     isTeacher, isAdmin) or null. fn(me, school) draws the page. */
  function start(opts, fn) {
    opts = opts || {};
    var me, school;
    api('GET', '/me').then(function (m) {
      me = m;
      if (me.must_change_password && pageName() !== 'password.html') {
        location.href = 'password.html';
        return null;
      }
      return api('GET', '/schools/' + encodeURIComponent(me.user.school), undefined, { noRedirect: true })
        .then(function (s) { school = s.school; }, function () { school = null; });
    }).then(function () {
      if (!me || (me.must_change_password && pageName() !== 'password.html')) return;
      drawHeader(me, school);
      if (!me.must_change_password && isTeacher(me.user)) {
        api('GET', '/certifications/count', undefined, { noRedirect: true })
          .then(function (c) { certBadge(c.pending); }, function () {});
      }
      if (opts.need && !opts.need(me.user)) {
        var box = h('div.msg');
        $('#main').insertBefore(box, $('#main').firstChild);
        show(box, 'warn', '這個頁面不屬於您的身分，請從上方選單選擇功能。');
        Array.prototype.forEach.call(document.querySelectorAll('#main > :not(h1):not(.msg)'), function (e) { e.hidden = true; });
        return;
      }
      return fn(me, school);
    }).catch(function (err) {
      if (err && (err.code === 'unauthenticated' || err.code === 'session_expired' || err.code === 'password_change_required')) return;
      var box = $('#page-msg') || $('#main');
      showError(box, err);
    });
  }

  /* ---------- terms ---------- */

  /* the student's terms from the course records, newest first */
  function studentTerms(me) {
    return api('GET', '/students/' + encodeURIComponent(me.user.id) + '/courses').then(function (r) {
      var terms = (r.terms || []).map(function (t) { return t.term; });
      terms.sort(compareTerms).reverse();
      return { terms: terms, records: r };
    });
  }

  /* termPicker(select, terms, onChange): fills a <select>; the chosen term
     stays in the address (?term=) so a reload keeps it. */
  function termPicker(select, terms, onChange) {
    var want = new URLSearchParams(location.search).get('term');
    clear(select);
    if (!terms.length) terms = [currentTerm()];
    terms.forEach(function (t) { select.appendChild(h('option', { value: t }, termLabel(t))); });
    select.value = terms.indexOf(want) >= 0 ? want : terms[0];
    select.addEventListener('change', function () {
      var q = new URLSearchParams(location.search);
      q.set('term', select.value);
      history.replaceState(null, '', '?' + q.toString());
      onChange(select.value);
    });
    return select.value;
  }


  /* File fields: the browser's own button speaks the browser's language;
     this one says 選擇檔案 and shows the chosen name. The real input stays
     (transparent, over the button) so keyboard, labels and drop work. */
  function enhanceFile(input) {
    if (input.dataset.enhanced) return;
    input.dataset.enhanced = '1';
    var name = h('span.file-name', { 'aria-hidden': 'true' }, '未選擇檔案');
    var btn = h('span.file-btn', h('span.button.secondary.fake', { 'aria-hidden': 'true' }, '選擇檔案'));
    var wrap = h('span.file-pick');
    input.parentNode.insertBefore(wrap, input);
    btn.appendChild(input);
    wrap.appendChild(btn);
    wrap.appendChild(name);
    function update() {
      var f = input.files && input.files[0];
      name.textContent = f ? f.name + '（' + fmtBytes(f.size) + '）' : '未選擇檔案';
    }
    input.addEventListener('change', update);
    if (input.form) input.form.addEventListener('reset', function () { setTimeout(update, 0); });
  }
  function enhanceFiles(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('input[type="file"]'), enhanceFile);
  }
  document.addEventListener('DOMContentLoaded', function () {
    enhanceFiles(document);
    new MutationObserver(function (list) {
      list.forEach(function (m) {
        Array.prototype.forEach.call(m.addedNodes, function (n) {
          if (n.nodeType !== 1) return;
          if (n.matches('input[type="file"]')) enhanceFile(n); else enhanceFiles(n);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  });

  /* "115/11/23 08:00" (ROC) or "2026-11-23 08:00", Taiwan time → ISO 8601 */
  function parseTime(text) {
    var m = /^\s*(\d{2,4})[\/-](\d{1,2})[\/-](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2}))?\s*$/.exec(text || '');
    if (!m) return null;
    var y = Number(m[1]); if (y < 1000) y += 1911;
    var mo = Number(m[2]), d = Number(m[3]), hh = Number(m[4] || 0), mm = Number(m[5] || 0);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59) return null;
    function two(n) { return (n < 10 ? '0' : '') + n; }
    var iso = y + '-' + two(mo) + '-' + two(d) + 'T' + two(hh) + ':' + two(mm) + ':00+08:00';
    var ms = Date.parse(iso);
    if (isNaN(ms) || localInput(ms).slice(0, 10) !== iso.slice(0, 10)) return null;  // 2/30 and such
    return { iso: iso, ms: ms };
  }

  window.PF = {
    api: api, putFile: putFile, ApiError: ApiError, explain: explain,
    h: h, $: $, clear: clear, append: append,
    fmtTime: fmtTime, fmtDate: fmtDate, fmtBytes: fmtBytes, localInput: localInput,
    termLabel: termLabel, currentTerm: currentTerm, compareTerms: compareTerms,
    STATUS: STATUS, KIND: KIND, WINDOW_KIND: WINDOW_KIND, ROLE: ROLE, statusBadge: statusBadge,
    show: show, showError: showError, hide: hide, noRoute: noRoute,
    start: start, home: home, safeNext: safeNext, signOut: signOut, certBadge: certBadge,
    isStudent: isStudent, isTeacher: isTeacher, isAdmin: isAdmin, isCity: isCity,
    studentTerms: studentTerms, termPicker: termPicker,
    enhanceFiles: enhanceFiles, parseTime: parseTime
  };
  window.PF.goSignIn = goSignIn;
})();

/* ---------- pages (issue 16): confirmations, kept upload drafts ---------- */
(function (PF) {
  var h = PF.h;

  var CSS = 'dialog.pf-confirm{max-width:min(32rem,calc(100vw - 2rem));width:100%;border:1px solid var(--line);' +
    'border-radius:var(--radius);padding:1rem 1.1rem;color:var(--ink);box-shadow:0 8px 30px rgba(0,0,0,.25)}' +
    'dialog.pf-confirm::backdrop{background:rgba(20,28,40,.5)}' +
    'dialog.pf-confirm ul{margin:.2rem 0 .6rem;padding-left:1.2rem;max-height:40vh;overflow:auto}' +
    'dialog.pf-confirm .row{justify-content:flex-end;margin-top:.6rem}';

  /* confirmAction({title, text, items, ok, danger}) -> Promise<boolean>.
     Before what cannot be undone: a dialog in the page, in zh-TW (the
     browser's own confirm() has the browser's language and no title),
     saying what will happen. 取消 or Esc answers false and nothing is
     sent; the focus starts on 取消 and goes back where it was. */
  function confirmAction(o) {
    if (!document.getElementById('pf-confirm-css')) {
      document.head.appendChild(h('style#pf-confirm-css', CSS));
    }
    return new Promise(function (resolve) {
      var back = document.activeElement, answered = false;
      var ok = h('button', { type: 'button', 'class': 'confirm' + (o.danger ? ' danger' : '') }, o.ok || '確定');
      var cancel = h('button', { type: 'button', 'class': 'secondary cancel' }, '取消');
      var text = [].concat(o.text || []).map(function (t) { return h('p', t); });
      var d = h('dialog.pf-confirm', { 'aria-labelledby': 'pf-confirm-title', 'aria-describedby': 'pf-confirm-text' },
        h('h2#pf-confirm-title', o.title),
        h('div#pf-confirm-text', text, o.items && o.items.length ? h('ul', o.items.map(function (i) { return h('li', i); })) : null,
          o.after ? h('p', o.after) : null),
        h('div.row', ok, cancel));
      function answer(v) {
        if (answered) return;
        answered = true;
        if (d.open) d.close();
        d.remove();
        if (back && back.focus) back.focus();
        resolve(v);
      }
      ok.addEventListener('click', function () { answer(true); });
      cancel.addEventListener('click', function () { answer(false); });
      d.addEventListener('cancel', function (e) { e.preventDefault(); answer(false); });
      document.body.appendChild(d);
      d.showModal();
      cancel.focus();
    });
  }

  /* What a student typed for an upload, kept in this browser until the
     server has all of it (a File cannot be kept: only its name). Keyed by
     the student and the term; the course is inside. */
  var DRAFTS = 'pf-upload-draft/';
  function draftKey(student, term) { return DRAFTS + student + '/' + term; }
  function draftGet(student, term) {
    try { return JSON.parse(localStorage.getItem(draftKey(student, term)) || 'null'); } catch (e) { return null; }
  }
  function draftPut(student, term, d) {
    try { localStorage.setItem(draftKey(student, term), JSON.stringify(d)); } catch (e) { /* private mode: not kept */ }
  }
  function draftDrop(student, term) {
    try { localStorage.removeItem(draftKey(student, term)); } catch (e) { /* nothing kept */ }
  }
  /* [{term, draft}] of the student, every term */
  function draftsOf(student) {
    var out = [], pre = DRAFTS + student + '/';
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(pre) === 0) {
          var d = draftGet(student, k.slice(pre.length));
          if (d) out.push({ term: k.slice(pre.length), draft: d });
        }
      }
    } catch (e) { /* nothing kept */ }
    return out;
  }

  PF.confirmAction = confirmAction;
  PF.drafts = { get: draftGet, put: draftPut, drop: draftDrop, of: draftsOf };
})(window.PF);
