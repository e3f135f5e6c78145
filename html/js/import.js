/* School data import (S1): a kind and a file, sent as the raw body
   (text/csv or application/json) to the preview first (.../preview: what
   the import would add, change and remove; nothing is written), then,
   when the admin confirms, to the import itself.  A students file that
   would take students off the term's list offers two choices: only the
   classes the file names (?scope=classes), or the removal confirmed
   (?confirm=remove); renamed accounts must be confirmed (?confirm=rename).
   The per-row errors of a refused file, by row as the spreadsheet shows
   them, with the column as the file names it. */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, form = PF.$('#import'), msg = PF.$('#import-msg');
  /* kind, words, the columns (as the templates name them, then English) */
  var KINDS = [
    ['teachers', '教師', '身分證統一編號、姓名、帳號（可不填）', 'national_id, name, account'],
    ['classes', '班級', '班級代碼、班級名稱、年級、導師', 'class, name, grade, homeroom'],
    ['students', '學生', '學號、身分證統一編號、姓名、班級、座號', 'student_number, national_id, name, class, seat'],
    ['courses', '課程', '課程代碼、課程名稱、科目、學分數、授課教師、協同教師、修課別', 'code, name, subject, credits, teacher, co_teachers, kind'],
    ['enrollments', '修課與成績', '學號、課程代碼、成績、修課別（可省略）', 'student_number, code, grade, kind'],
    ['attendance', '出缺勤', '學號、遲到、曠課、病假、公假、事假、喪假', 'student_number, late, absent, sick, official, personal, bereavement'],
    ['rewards', '獎懲', '學號、嘉獎、小功、大功、警告、小過、大過', 'student_number, commendation, minor_merit, major_merit, warning, minor_demerit, major_demerit'],
    ['cadres', '幹部經歷', '學號、單位、職稱、開始日期、結束日期、幹部等級', 'student_number, unit, post, start, end, level'],
    ['counselors', '輔導教師', '輔導教師、學號', 'teacher, student_number']
  ];
  var sel = form.kind, pending = null;
  function kindOf(name) { return KINDS.filter(function (x) { return x[0] === name; })[0]; }
  KINDS.forEach(function (k) { sel.appendChild(h('option', { value: k[0] }, k[1] + '（' + k[0] + '）')); });
  function cols() {
    var k = kindOf(sel.value), link = PF.$('#template-link');
    PF.$('#columns').textContent = '欄位：' + k[2] + '。英文欄位名稱也可以：' + k[3] + '。';
    link.href = 'import-templates/' + k[0] + '.csv';
    link.setAttribute('download', k[1] + '匯入範本.csv');
    link.textContent = '下載「' + k[1] + '」的 CSV 範本（UTF-8，Excel 可直接開啟）';
  }
  sel.addEventListener('change', cols);
  cols();

  PF.termField(form.term);

  /* a new choice of term, kind or file voids the preview */
  function reset() {
    pending = null;
    PF.$('#preview-section').hidden = true;
  }
  [form.term, sel, form.file].forEach(function (el) { el.addEventListener('change', reset); });

  function n(x) { return Number(x || 0).toLocaleString('zh-TW'); }
  function words(r) { var k = kindOf(r.kind); return PF.termLabel(r.term) + '的' + (k ? k[1] : r.kind) + '資料'; }

  /* the server's own words for the import's refusals (zh-TW) */
  function showRefusal(err) {
    if (err && err.message && /[\u3400-\u9fff]/.test(err.message)) PF.show(msg, 'error', err.message);
    else PF.showError(msg, err);
  }

  function errorsTable(list, more) {
    var wrap = PF.clear(PF.$('#errors'));
    wrap.appendChild(h('table#errors-table',
      h('caption.visually-hidden', '錯誤的資料列'),
      h('thead', h('tr', h('th', { scope: 'col' }, '列'), h('th', { scope: 'col' }, '欄位'), h('th', { scope: 'col' }, '說明'))),
      h('tbody', list.map(function (e) {
        var col = e.column || e.field || '', text = e.message || '';
        /* the message names its column first: the table has a column for it */
        if (col && text.indexOf(col + '：') === 0) text = text.slice(col.length + 1);
        return h('tr', h('td.num', String(e.row)), h('td', col || '—'), h('td', text));
      }))));
    if (more) wrap.appendChild(h('p', '另有 ' + more + ' 個錯誤未列出。'));
    wrap.appendChild(h('p.hint', '列號與試算表相同：欄位名稱列是第 1 列，第一筆資料是第 2 列（JSON 檔為第幾筆資料）。'));
    PF.$('#errors-section').hidden = false;
  }

  function send(path, p) {
    return PF.api('POST', '/schools/' + encodeURIComponent(me.user.school) + '/terms/' + encodeURIComponent(p.term) +
                  '/import/' + p.kind + path, undefined, { raw: p.file, type: p.json ? 'application/json' : 'text/csv' });
  }

  function countsTable(r) {
    var rec = r.records || {}, ppl = r.people || {};
    return h('table#preview-table',
      h('caption.visually-hidden', '匯入預覽'),
      h('thead', h('tr', h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, '新增'), h('th', { scope: 'col' }, '變更'),
                   h('th', { scope: 'col' }, '移除'), h('th', { scope: 'col' }, '不變'))),
      h('tbody',
        h('tr#preview-records', h('th', { scope: 'row' }, '資料筆數'), h('td.num', n(rec.added)), h('td.num', n(rec.changed)),
          h('td.num', n(rec.removed)), h('td.num', n(rec.unchanged))),
        h('tr#preview-people', h('th', { scope: 'row' }, '人員'), h('td.num', n(ppl.added)), h('td.num', n(ppl.changed)),
          h('td.num', n(ppl.removed)), h('td.num', '—'))));
  }
  var PEOPLE_HINT = '人員：新增是新建的帳號，變更是資料會更新的帳號，移除是移出本學期名單的學生（帳號與學生上傳的檔案都不會刪除）。';

  /* the preview and its choices; scoped: the same file's preview with
     ?scope=classes, when the whole-term one would remove students */
  function showPreview(p, r, scoped) {
    var needRemove = (r.confirm || []).indexOf('remove') >= 0, needRename = (r.confirm || []).indexOf('rename') >= 0;
    PF.hide(msg);
    PF.$('#preview-summary').textContent = '預覽：' + words(r) + ' ' + n(r.rows) + ' 筆' +
      (r.encoding === 'big5' ? '（檔案是 Big5 編碼，已轉換）' : '') + '。尚未匯入，確認後才會寫入。';
    PF.append(PF.clear(PF.$('#preview-counts')), [countsTable(r), h('p.hint', PEOPLE_HINT)]);
    var term = PF.$('#preview-term');
    term.textContent = '';
    if (r.kind === 'students') {
      term.textContent = PF.termLabel(r.term) + '的學生名單目前 ' + n(r.term_students) + ' 位；依這個檔案匯入後留下 ' +
        n(r.stay) + ' 位，移出 ' + n(r.remove) + ' 位。';
    }
    var ren = PF.clear(PF.$('#preview-renames'));
    if (r.renamed && r.renamed.length) {
      ren.appendChild(h('p', '以下帳號的姓名會改變。同一人改名才確認；若是不同的人，請取消，並在教師檔的「帳號」欄為新的一位另指定帳號。'));
      ren.appendChild(h('div.table-wrap', h('table#renames-table',
        h('thead', h('tr', h('th', { scope: 'col' }, '列'), h('th', { scope: 'col' }, '帳號'),
                     h('th', { scope: 'col' }, '原姓名'), h('th', { scope: 'col' }, '新姓名'))),
        h('tbody', r.renamed.map(function (x) {
          return h('tr', h('td.num', String(x.row)), h('td', x.account), h('td', x.from), h('td', x.to));
        })))));
    }
    var q = PF.$('#preview-question'), apply = PF.$('#apply-button'), classes = PF.$('#apply-classes'), remove = PF.$('#apply-remove');
    var rename = needRename ? ',rename' : '';
    apply.hidden = needRemove;
    classes.hidden = remove.hidden = !needRemove;
    if (!needRemove) {
      q.textContent = needRename ? '要匯入並確認以上 ' + r.renamed.length + ' 個帳號更名嗎？' : '要依這個預覽匯入嗎？';
      apply.textContent = needRename ? '確認更名並匯入' : '確認匯入';
      pending = { p: p, query: needRename ? '?confirm=rename' : '' };
    } else {
      var keep = scoped ? n(scoped.kept) : '?';
      q.textContent = '這個檔案只有 ' + n(r.classes.length) + ' 個班級（' + r.classes.join('、') + '），會把 ' + n(r.remove) +
        ' 位學生移出本學期名單。如果檔案只有部分班級，請選「只更新檔案中的班級」（其他班級的 ' + keep + ' 位學生不變）；確定要移出，請選「確認移出」。';
      classes.textContent = '只更新檔案中的班級（' + r.classes.join('、') + '）' +
        (scoped && scoped.remove ? '，並移出其中 ' + n(scoped.remove) + ' 位' : '');
      remove.textContent = '確認移出 ' + n(r.remove) + ' 位學生並匯入';
      pending = { p: p, classes: '?scope=classes' + (scoped && scoped.remove ? '&confirm=remove' + rename : (rename ? '&confirm=rename' : '')),
                  remove: '?confirm=remove' + rename };
    }
    PF.$('#preview-section').hidden = false;
    PF.$('#preview-section').scrollIntoView({ block: 'nearest' });
  }

  function apply(query) {
    if (!pending) return;
    var p = pending.p, buttons = document.querySelectorAll('#preview-actions button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    PF.show(msg, 'info', '匯入中…');
    send(query, p).then(function (r) {
      var rec = r.records || {};
      reset();
      PF.show(msg, 'ok', '已匯入' + words(r) + ' ' + r.rows + ' 筆' +
        '（新建帳號 ' + (r.created_accounts || 0) + ' 個，更新帳號 ' + (r.updated_accounts || 0) + ' 個；資料新增 ' +
        n(rec.added) + '、變更 ' + n(rec.changed) + '、移除 ' + n(rec.removed) + ' 筆' +
        (r.kind === 'students' ? '；學生名單現有 ' + n(r.stay + (rec.added || 0)) + ' 位' : '') + '）。');
      form.file.value = '';
    }, function (err) {
      showRefusal(err);
      if (err.code === 'invalid_rows' && err.body && err.body.error) {
        reset();
        errorsTable(err.body.error.errors || [], err.body.error.more);
      }
    }).then(function () {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    });
  }
  PF.$('#apply-button').addEventListener('click', function () { apply(pending && pending.query); });
  PF.$('#apply-classes').addEventListener('click', function () { apply(pending && pending.classes); });
  PF.$('#apply-remove').addEventListener('click', function () { apply(pending && pending.remove); });
  PF.$('#cancel-button').addEventListener('click', function () { reset(); PF.show(msg, 'info', '已取消，沒有匯入任何資料。'); });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var term = form.term.value.trim(), file = form.file.files[0];
    reset();
    PF.$('#errors-section').hidden = true;
    if (!/^\d{2,3}-[12]$/.test(term)) { PF.show(msg, 'error', '學期格式不正確，請輸入例如 115-1。'); form.term.focus(); return; }
    if (!file) { PF.show(msg, 'error', '請選擇要匯入的檔案。'); form.file.focus(); return; }
    var p = { term: term, kind: sel.value, file: file, json: /\.json$/i.test(file.name) || file.type === 'application/json' };
    var button = PF.$('#import-button');
    button.disabled = true;
    PF.show(msg, 'info', '預覽中…');
    send('/preview', p).then(function (r) {
      if ((r.confirm || []).indexOf('remove') < 0) return showPreview(p, r, null);
      /* what "only the classes the file names" would do */
      return send('/preview?scope=classes', p).then(function (s) { showPreview(p, r, s); },
                                                    function () { showPreview(p, r, null); });
    }, function (err) {
      showRefusal(err);
      if (err.code === 'invalid_rows' && err.body && err.body.error) {
        errorsTable(err.body.error.errors || [], err.body.error.more);
      }
    }).then(function () { button.disabled = false; });
  });
});
