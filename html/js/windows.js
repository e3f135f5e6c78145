/* Windows (作業期間, AD3) per term and the school's parameters (AD2). */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, school = encodeURIComponent(me.user.school), term;
  var LEVEL = { nation: '國教署', city: '臺北市' };
  var SETTINGS = {
    outcome_uploads_per_term: ['學生學習成果上傳數量', '件', '學生每學期最多上傳幾件學習成果供授課教師認證。'],
    outcome_uploads_per_subject: ['學生單科學習成果上傳數量', '件', '學生每學期單一科目最多上傳幾件學習成果。'],
    outcome_select_per_term: ['每學期勾選學習成果數量', '件', '學生每學期最多勾選幾件學習成果提交中央資料庫（臺北市規定 3 件）。'],
    outcome_select_per_year: ['每學年勾選學習成果數量', '件', '學生每學年最多勾選幾件學習成果（國教署規定 6 件）。'],
    performance_select_per_year: ['每學年勾選多元表現數量', '件', '學生每學年最多勾選幾件多元表現。'],
    teacher_mail_hour: ['學生未認證學習成果 Email 通知教師時間', '點', '每天幾點寄信提醒教師認證，請輸入 0～23 的整數，空白表示不寄送。'],
    remind_select_outcomes_days: ['通知學生勾選學習成果', '天', '勾選截止日前幾天通知學生登入勾選學習成果，預設 3 天。'],
    remind_select_performances_days: ['通知學生勾選多元表現', '天', '勾選截止日前幾天通知學生勾選多元表現，預設 3 天。'],
    quota_student_mb: ['學生儲存空間', 'MB', '每位學生可使用的空間。'],
    quota_teacher_mb: ['教師檔案櫃空間', 'MB', '每位教師檔案櫃可使用的空間。'],
    login_methods: ['登入方式', '', '本校帳號可用的登入方式（臺北市單一身分驗證服務須由系統設定）。']
  };
  var CHOICE = { local: '本系統帳號密碼', directory: '臺北市單一身分驗證（LDAP）', both: '兩者皆可' };
  /* who set a ceiling (the levels above the school), as the server's words name them */
  var BY = { nation: '國教署', city: '教育局' };

  function windowCard(kind, x) {
    var id = 'w-' + kind, msg = h('div.msg');
    var from = h('input', { type: 'text', id: id + '-from', value: x.school ? PF.fmtTime(x.school.from) : '',
                            inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': id + '-fmt' });
    var to = h('input', { type: 'text', id: id + '-to', value: x.school ? PF.fmtTime(x.school.to) : '',
                          inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': id + '-fmt' });
    var outer = ['nation', 'city'].map(function (l) {
      return x[l] ? h('li', LEVEL[l] + '：' + PF.fmtTime(x[l].from) + ' ～ ' + PF.fmtTime(x[l].to)) : null;
    }).filter(Boolean);
    var save = h('button', { type: 'submit' }, '儲存');
    var del = h('button.danger', { type: 'button', disabled: !x.school }, '刪除學校期間');
    var f = h('form.card', { id: id, 'aria-labelledby': id + '-h', novalidate: true },
      h('h3', { id: id + '-h' }, PF.WINDOW_KIND[kind], '　', h('span.status.' + (x.open ? 'open' : 'closed'), x.open ? '開放中' : '未開放')),
      h('p.hint', x.from ? '實際期間：' + PF.fmtTime(x.from) + ' ～ ' + PF.fmtTime(x.to) : '尚未設定期間（未設定即不開放）'),
      outer.length ? h('ul.hint', outer) : null,
      h('div.field', h('label', { 'for': id + '-from' }, '開始'), from),
      h('div.field', h('label', { 'for': id + '-to' }, '結束'), to,
        h('span.hint', { id: id + '-fmt' }, '格式：115/09/01 08:00（民國年，臺灣時間；西元 2026-09-01 08:00 亦可）')),
      x.school ? h('p.hint', '最後修改：' + PF.fmtTime(x.school.updated) + '（' + x.school.by + '）') : null,
      msg, h('div.row', save, del));
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var a = PF.parseTime(from.value), b = PF.parseTime(to.value);
      if (!a || !b) {
        PF.show(msg, 'error', (!a ? '開始' : '結束') + '時間的格式不正確，請依「115/09/01 08:00」輸入。');
        (!a ? from : to).focus();
        return;
      }
      if (a.ms >= b.ms) { PF.show(msg, 'error', '開始時間必須早於結束時間。'); to.focus(); return; }
      save.disabled = true;
      PF.api('PUT', '/schools/' + school + '/terms/' + encodeURIComponent(term) + '/windows/' + kind,
             { from: a.iso, to: b.iso }).then(function (r) {
        draw(r);
        PF.show(PF.$('#w-' + kind + ' .msg'), 'ok', '已儲存' + PF.WINDOW_KIND[kind] + '期間。');
      }, function (err) { PF.showError(msg, err); save.disabled = false; });
    });
    del.addEventListener('click', function () {
      PF.confirmAction({
        title: '刪除學校期間？',
        text: ['將刪除' + PF.termLabel(term) + PF.WINDOW_KIND[kind] + '的學校期間。', '刪除後依臺北市與國教署設定的期間；都未設定即不開放。'],
        ok: '刪除', danger: true
      }).then(function (yes) {
        if (!yes) return;
        return PF.api('DELETE', '/schools/' + school + '/terms/' + encodeURIComponent(term) + '/windows/' + kind).then(function (r) {
          draw(r);
          PF.show(PF.$('#w-' + kind + ' .msg'), 'ok', '已刪除學校期間。');
        }, function (err) { PF.showError(msg, err); });
      });
    });
    return f;
  }

  function draw(r) {
    var box = PF.clear(PF.$('#windows'));
    ['upload', 'certify', 'select'].forEach(function (k) { box.appendChild(windowCard(k, r.windows[k] || {})); });
  }
  function load(t) {
    term = t;
    return PF.api('GET', '/schools/' + school + '/terms/' + encodeURIComponent(t) + '/windows').then(draw,
      function (err) { PF.showError(PF.$('#page-msg'), err); });
  }

  var current = {};
  function drawSettings(list) {
    var body = PF.clear(PF.$('#settings-rows'));
    list.forEach(function (s) {
      var words = SETTINGS[s.name] || [s.name, '', s.about];
      current[s.name] = s.value;
      var id = 'set-' + s.name;
      var choices = Array.isArray(s.choices) ? s.choices : (s.choices ? String(s.choices).trim().split(/\s+/) : null);
      /* a ceiling the levels above set: the school may go up to it, not past it */
      var top = s.ceiling ? Math.min(s.max, s.ceiling.value) : s.max;
      var described = id + '-about' + (s.ceiling ? ' ' + id + '-ceiling' : '');
      var control = choices
        ? h('select', { id: id, name: s.name, 'aria-describedby': described, style: 'width:auto' },
            choices.map(function (c) { return h('option', { value: c, selected: c === s.value }, CHOICE[c] || c); }))
        : h('input', { type: 'number', id: id, name: s.name, min: String(s.min), max: String(top), step: '1', value: s.value,
                       style: 'width:6.5rem', 'aria-describedby': described });
      var range = choices ? '' : '（' + s.min + '～' + top + '）';
      var cap = s.ceiling
        ? h('span.hint.ceiling', { id: id + '-ceiling', style: 'display:block' },
            '上限：' + BY[s.ceiling.level] + (s.ceiling['default'] ? '規定' : '設定') + ' ' + s.ceiling.value + words[1]
            + '，本校只能在此之內調低，不能調高。')
        : null;
      body.appendChild(h('tr', { id: 'row-' + s.name },
        h('th', { scope: 'row' }, h('label', { 'for': id, style: 'font-weight:600;margin:0' }, words[0])),
        h('td', { 'data-label': '設定' }, h('div.row', { style: 'flex-wrap:nowrap;display:inline-flex' }, control, words[1])),
        h('td', h('span', { id: id + '-about' }, words[2] + range), cap, h('span.refusal', { role: 'alert' }))));
    });
  }
  PF.api('GET', '/schools/' + school + '/settings').then(function (r) { drawSettings(r.settings); },
    function (err) { PF.showError(PF.$('#settings-msg'), err); });

  PF.$('#settings').addEventListener('submit', function (e) {
    e.preventDefault();
    var msg = PF.$('#settings-msg');
    var changed = Array.from(document.querySelectorAll('#settings-rows input, #settings-rows select')).filter(function (i) { return i.value !== current[i.name]; });
    Array.from(document.querySelectorAll('#settings-rows .refusal')).forEach(function (x) { x.textContent = ''; });
    if (!changed.length) { PF.show(msg, 'info', '沒有變更的參數。'); return; }
    var done = [], failed = 0, last;
    changed.reduce(function (p, input) {
      return p.then(function () {
        return PF.api('PUT', '/schools/' + school + '/settings/' + encodeURIComponent(input.name), { value: input.value }).then(function (r) {
          done.push((SETTINGS[input.name] || [input.name])[0]);
          last = r.settings;
        }, function (err) {
          failed++;
          PF.$('#row-' + input.name + ' .refusal').textContent = PF.explain(err).text;
        });
      });
    }, Promise.resolve()).then(function () {
      if (last) {
        last.forEach(function (s) { current[s.name] = s.value; });
      }
      if (failed) PF.show(msg, 'error', (done.length ? '已儲存：' + done.join('、') + '。' : '') + failed + ' 個參數沒有儲存，原因寫在該列。');
      else PF.show(msg, 'ok', '已儲存：' + done.join('、') + '。');
    });
  });

  return load(PF.adminTerm(PF.$('#term-form'), load));
});
