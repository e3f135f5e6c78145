/* Temporary accounts (A3), plugin accounts: issue with an expiry, list,
   change the expiry, disable for good. */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, school = encodeURIComponent(me.user.school), form = PF.$('#issue'), msg = PF.$('#issue-msg');
  var REASON = { on_leave: '休學或長期請假', transferred: '轉出', other: '其他' };
  var STATE = { active: '使用中', expired: '已過期', disabled: '已停用' };
  var base = '/schools/' + school;

  function endOfDay(text) {
    var t = PF.parseTime(text);
    if (!t) return null;
    return PF.parseTime(t.iso.slice(0, 10) + ' 23:59');
  }
  form.expires.value = PF.fmtDate(Date.now() + 30 * 86400000);

  /* the student picker: the term's classes, then the class's students */
  function classes() {
    var sel = PF.clear(form['class']), st = PF.clear(form.student);
    return PF.api('GET', base + '/terms/' + encodeURIComponent(form.term.value.trim()) + '/classes', undefined, { noRedirect: true }).then(function (r) {
      sel.appendChild(h('option', { value: '' }, '請選擇班級'));
      r.classes.forEach(function (c) { sel.appendChild(h('option', { value: c['class'] }, c.name + '（' + c['class'] + '）')); });
    }, function (err) {
      sel.appendChild(h('option', { value: '' }, '（此學期沒有班級資料）'));
      if (err.code !== 'not_found' && err.code !== 'invalid_term') PF.showError(msg, err);
    }).then(function () { st.appendChild(h('option', { value: '' }, '請先選擇班級')); });
  }
  function students() {
    var st = PF.clear(form.student), c = form['class'].value;
    if (!c) { st.appendChild(h('option', { value: '' }, '請先選擇班級')); return; }
    PF.api('GET', base + '/terms/' + encodeURIComponent(form.term.value.trim()) + '/classes/' + encodeURIComponent(c) + '/students').then(function (r) {
      st.appendChild(h('option', { value: '' }, '請選擇學生'));
      r.students.forEach(function (s) { st.appendChild(h('option', { value: s.id }, s.seat + ' 號 ' + s.name + '（' + s.student_number + '）')); });
    }, function (err) { PF.showError(msg, err); });
  }
  PF.termField(form.term);
  form.term.addEventListener('change', classes);
  form['class'].addEventListener('change', students);
  Array.prototype.forEach.call(form.who, function (r) {
    r.addEventListener('change', function () {
      var byName = form.who.value === 'name';
      PF.$('#pick-student').hidden = byName;
      PF.$('#pick-name').hidden = !byName;
    });
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = { reason: form.reason.value };
    var exp = endOfDay(form.expires.value);
    if (form.who.value === 'student') {
      if (!form.student.value) { PF.show(msg, 'error', '請選擇學生。'); (form['class'].value ? form.student : form['class']).focus(); return; }
      body.student = form.student.value;
    } else {
      if (!form.name.value.trim()) { PF.show(msg, 'error', '請輸入姓名。'); form.name.focus(); return; }
      body.name = form.name.value.trim();
    }
    if (!exp) { PF.show(msg, 'error', '使用期限的格式不正確，請依「115/12/31」輸入。'); form.expires.focus(); return; }
    body.expires = exp.iso;
    if (form.note.value.trim()) body.note = form.note.value.trim();
    PF.$('#issue-button').disabled = true;
    PF.api('POST', base + '/temporary-accounts', body).then(function (r) {
      var a = r.account;
      PF.show(msg, 'ok', '已核發臨時帳號。');
      msg.appendChild(h('dl.facts#issued',
        h('dt', '帳號'), h('dd', h('strong', a.id)),
        h('dt', '姓名'), h('dd', a.name || '—'),
        h('dt', '初始密碼'), h('dd', h('strong', { style: 'font-family:monospace;font-size:1.15rem' }, r.initial_password)),
        h('dt', '使用期限'), h('dd', PF.fmtTime(a.expires))));
      msg.appendChild(h('p', '請將帳號與初始密碼交給學生；初始密碼只顯示這一次，第一次登入須變更。'));
      form.note.value = '';
      return list();
    }, function (err) { PF.showError(msg, err); }).then(function () { PF.$('#issue-button').disabled = false; });
  });

  function row(a) {
    var t = a.temporary || {}, m = h('span.refusal', { role: 'alert' });
    var inputId = 'exp-' + a.id;
    var exp = h('input', { type: 'text', id: inputId, value: a.expires ? PF.fmtDate(a.expires) : '', style: 'width:8.5rem', inputmode: 'numeric' });
    var change = h('button.secondary', { type: 'button' }, '更改期限');
    var stop = h('button.danger', { type: 'button', disabled: a.state === 'disabled' }, '停用');
    change.addEventListener('click', function () {
      var e2 = endOfDay(exp.value);
      if (!e2) { m.textContent = '期限格式不正確，請依「115/12/31」輸入。'; exp.focus(); return; }
      PF.api('PUT', base + '/temporary-accounts/' + encodeURIComponent(a.id), { expires: e2.iso }).then(function () {
        PF.show(PF.$('#list-msg'), 'ok', a.id + ' 的使用期限已改為 ' + PF.fmtTime(e2.ms) + '。');
        return list();
      }, function (err) { m.textContent = PF.explain(err).text; });
    });
    stop.addEventListener('click', function () {
      PF.confirmAction({
        title: '停用臨時帳號？',
        text: ['將停用 ' + a.id + '（' + (a.name || '') + '）。', '停用後這個帳號就無法再登入使用。'],
        ok: '停用', danger: true
      }).then(function (yes) {
        if (!yes) return;
        return PF.api('DELETE', base + '/temporary-accounts/' + encodeURIComponent(a.id)).then(function () {
          PF.show(PF.$('#list-msg'), 'ok', a.id + ' 已停用。');
          return list();
        }, function (err) { m.textContent = PF.explain(err).text; });
      });
    });
    return h('tr', { id: 'tmp-' + a.id },
      h('th', { scope: 'row' }, a.name || '—'),
      h('td', { 'data-label': '帳號' }, a.id),
      h('td', { 'data-label': '班級' }, a['class'] || '—'),
      h('td', { 'data-label': '原因' }, (REASON[t.reason] || t.reason || '—') + (t.note ? '：' + t.note : '')),
      h('td', { 'data-label': '狀態' }, STATE[a.state] || a.state || '—'),
      h('td', { 'data-label': '使用期限' }, a.state === 'disabled' ? PF.fmtTime(a.expires) : h('span', h('label.visually-hidden', { 'for': inputId }, a.id + ' 的使用期限'), exp)),
      h('td', { 'data-label': '操作' }, a.state === 'disabled' ? '—' : h('div.row', change, stop), m));
  }

  function list() {
    var q = PF.$('#filter').state.value, wrap = PF.clear(PF.$('#list'));
    return PF.api('GET', base + '/temporary-accounts' + (q ? '?state=' + q : '')).then(function (r) {
      if (!r.accounts.length) { wrap.appendChild(h('p.lead', '沒有臨時帳號。')); return; }
      wrap.appendChild(h('table#tmp-table.stack-sm', h('caption.visually-hidden', '臨時帳號'),
        h('thead', h('tr', ['姓名', '帳號', '班級', '原因', '狀態', '使用期限', '操作'].map(function (c) { return h('th', { scope: 'col' }, c); }))),
        h('tbody', r.accounts.map(row))));
    }, function (err) { PF.showError(PF.$('#list-msg'), err); });
  }
  PF.$('#filter').addEventListener('submit', function (e) { e.preventDefault(); list(); });

  return Promise.all([classes(), list()]);
});
