/* School data import (S1): a kind and a file, sent as the raw body
   (text/csv or application/json); the per-row errors of a refusal. */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, form = PF.$('#import'), msg = PF.$('#import-msg');
  var KINDS = [
    ['teachers', '教師', 'national_id, name'],
    ['classes', '班級', 'class, name, grade, homeroom'],
    ['students', '學生', 'student_number, national_id, name, class, seat'],
    ['courses', '課程', 'code, name, subject, credits, teacher, co_teachers, kind'],
    ['enrollments', '修課與成績', 'student_number, code, grade, kind'],
    ['attendance', '出缺勤', 'student_number, late, absent, sick, official, personal, bereavement'],
    ['rewards', '獎懲', 'student_number, commendation, minor_merit, major_merit, warning, minor_demerit, major_demerit'],
    ['cadres', '幹部經歷', 'student_number, unit, post, start, end, level'],
    ['counselors', '輔導教師', 'teacher, student_number']
  ];
  var sel = form.kind;
  KINDS.forEach(function (k) { sel.appendChild(h('option', { value: k[0] }, k[1] + '（' + k[0] + '）')); });
  function cols() {
    var k = KINDS.filter(function (x) { return x[0] === sel.value; })[0];
    PF.$('#columns').textContent = '欄位：' + k[2];
  }
  sel.addEventListener('change', cols);
  cols();

  PF.termField(form.term);

  function errorsTable(list, more) {
    var wrap = PF.clear(PF.$('#errors'));
    wrap.appendChild(h('table#errors-table',
      h('caption.visually-hidden', '錯誤的資料列'),
      h('thead', h('tr', h('th', { scope: 'col' }, '列'), h('th', { scope: 'col' }, '欄位'), h('th', { scope: 'col' }, '說明'))),
      h('tbody', list.map(function (e) {
        return h('tr', h('td.num', String(e.row)), h('td', e.field || '—'), h('td', { lang: 'en' }, e.message));
      }))));
    if (more) wrap.appendChild(h('p', '另有 ' + more + ' 個錯誤未列出。'));
    wrap.appendChild(h('p.hint', '列數從第一筆資料算起（CSV 的欄位名稱列為第 0 列）。'));
    PF.$('#errors-section').hidden = false;
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var term = form.term.value.trim(), file = form.file.files[0];
    PF.$('#errors-section').hidden = true;
    if (!/^\d{2,3}-[12]$/.test(term)) { PF.show(msg, 'error', '學期格式不正確，請輸入例如 115-1。'); form.term.focus(); return; }
    if (!file) { PF.show(msg, 'error', '請選擇要匯入的檔案。'); form.file.focus(); return; }
    var json = /\.json$/i.test(file.name) || file.type === 'application/json';
    var button = PF.$('#import-button');
    button.disabled = true;
    PF.show(msg, 'info', '匯入中…');
    PF.api('POST', '/schools/' + encodeURIComponent(me.user.school) + '/terms/' + encodeURIComponent(term) + '/import/' + sel.value,
           undefined, { raw: file, type: json ? 'application/json' : 'text/csv' }).then(function (r) {
      var k = KINDS.filter(function (x) { return x[0] === r.kind; })[0];
      PF.show(msg, 'ok', '已匯入' + PF.termLabel(r.term) + '的' + (k ? k[1] : r.kind) + '資料 ' + r.rows + ' 筆' +
        '（新建帳號 ' + (r.created_accounts || 0) + ' 個，更新帳號 ' + (r.updated_accounts || 0) + ' 個）。');
      form.file.value = '';
    }, function (err) {
      PF.showError(msg, err);
      if (err.code === 'invalid_rows' && err.body && err.body.error) {
        var list = err.body.error.errors || [];
        msg.insertBefore(h('p', '共 ' + (list.length + (err.body.error.more || 0)) + ' 個錯誤，請修正後重新匯入整個檔案。'), msg.querySelector('.detail'));
        errorsTable(list, err.body.error.more);
      }
    }).then(function () { button.disabled = false; });
  });
});
