/* Schools (SPEC C1), plugins school and accounts: the city admin lists
   the schools, creates one (domain, name, 學校代碼) and names a school's
   first admin. The rules are the server's; the page says them and shows
   its refusals in its words. */
'use strict';
PF.start({ need: PF.isCity }, function () {
  var h = PF.h, form = PF.$('#school-form'), msg = PF.$('#school-msg');
  var admin = PF.$('#admin-form'), amsg = PF.$('#admin-msg');
  var schools = [];

  function label(s) { return s.name + '（' + s.domain + '）'; }

  function fillPicker(want) {
    var sel = PF.clear(admin.school), keep = want || sel.value;
    sel.appendChild(h('option', { value: '' }, schools.length ? '請選擇學校' : '（尚無學校）'));
    schools.forEach(function (s) { sel.appendChild(h('option', { value: s.domain }, label(s))); });
    if (keep) sel.value = keep;
  }

  /* the school's admins, on request: one list of accounts per school */
  function showAdmins(s, cell, btn) {
    btn.disabled = true;
    PF.api('GET', '/schools/' + encodeURIComponent(s.domain) + '/accounts?role=school_admin').then(function (r) {
      PF.clear(cell).appendChild(document.createTextNode(r.accounts.length
        ? r.accounts.map(function (a) { return a.name + '（' + a.id + '）'; }).join('、')
        : '尚未指定'));
    }, function (err) { PF.clear(cell).appendChild(h('span.refusal', { role: 'alert' }, PF.explain(err).text)); btn.disabled = false; });
  }

  function row(s) {
    var cell = h('td', { 'data-label': '校管理者' });
    var see = h('button.secondary', { type: 'button' }, '查看');
    var pick = h('button.secondary', { type: 'button' }, '指定校管理者');
    see.addEventListener('click', function () { showAdmins(s, cell, see); });
    pick.addEventListener('click', function () {
      admin.school.value = s.domain;
      PF.hide(amsg);
      admin.national_id.focus();
    });
    cell.appendChild(see);
    return h('tr', { id: 'school-' + s.domain },
      h('th', { scope: 'row' }, s.name),
      h('td', { 'data-label': '網域名稱' }, s.domain),
      h('td', { 'data-label': '學校代碼' }, s.code || '—'),
      h('td', { 'data-label': '建立時間' }, PF.fmtTime(s.created)),
      cell,
      h('td', { 'data-label': '操作' }, pick));
  }

  function list() {
    var wrap = PF.clear(PF.$('#schools'));
    return PF.api('GET', '/city/schools').then(function (r) {
      schools = r.schools;
      fillPicker();
      if (!schools.length) { wrap.appendChild(h('p.lead', '尚無學校。')); return; }
      wrap.appendChild(h('table#schools-table.stack-sm', h('caption.visually-hidden', '學校清單'),
        h('thead', h('tr', ['學校名稱', '網域名稱', '學校代碼', '建立時間', '校管理者', '操作'].map(function (c) { return h('th', { scope: 'col' }, c); }))),
        h('tbody', schools.map(row))));
    }, function (err) { PF.showError(PF.$('#list-msg'), err); });
  }

  /* the page's own first look, so a slip is said before a round trip;
     the server checks everything again */
  function localProblem() {
    var d = form.domain.value.trim(), n = form.name.value.trim(), c = form.code.value.trim();
    if (!/^[a-z][a-z0-9]{0,14}[a-z]$/.test(d)) return [form.domain, '學校網域名稱要 2 到 16 個小寫英文字母或數字，頭尾是英文字母，例如 zlsh。'];
    if (!n) return [form.name, '請填寫學校名稱。'];
    if (!/^\d{6}$/.test(c)) return [form.code, '學校代碼是 6 位數字，例如 313302。'];
    return null;
  }

  form.domain.addEventListener('input', function () {
    var v = form.domain.value, low = v.toLowerCase();
    if (v !== low) form.domain.value = low;
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var bad = localProblem();
    if (bad) { PF.show(msg, 'error', bad[1]); bad[0].focus(); return; }
    var body = { domain: form.domain.value.trim(), name: form.name.value.trim(), code: form.code.value.trim() };
    PF.$('#school-button').disabled = true;
    PF.api('POST', '/city/schools', body).then(function (r) {
      var s = r.school;
      PF.show(msg, 'ok', '已新增學校：' + label(s) + '，學校代碼 ' + s.code + '。下一步：指定這所學校的校管理者。');
      form.reset();
      return list().then(function () { fillPicker(s.domain); admin.national_id.focus(); });
    }, function (err) {
      PF.showError(msg, err);
      if (err.code === 'domain_taken' || err.code === 'invalid_domain') form.domain.focus();
      else if (err.code === 'code_taken' || err.code === 'invalid_code') form.code.focus();
      else if (err.code === 'invalid_name') form.name.focus();
    }).then(function () { PF.$('#school-button').disabled = false; });
  });

  admin.addEventListener('submit', function (e) {
    e.preventDefault();
    var d = admin.school.value, nid = admin.national_id.value.trim().toUpperCase(), name = admin.name.value.trim();
    var s = schools.filter(function (x) { return x.domain === d; })[0];
    if (!s) { PF.show(amsg, 'error', '請選擇學校。'); admin.school.focus(); return; }
    if (!/^[A-Z]\d{9}$/.test(nid)) { PF.show(amsg, 'error', '身分證字號是 1 個英文字母接 9 位數字。'); admin.national_id.focus(); return; }
    PF.confirmAction({
      title: '指定校管理者？',
      text: ['將指定' + (name || '這位教職員') + '（身分證字號 ' + nid + '）為' + s.name + '的校管理者，立即生效。',
             '校管理者可以管理' + s.name + '的帳號、角色與資料。'],
      ok: '指定'
    }).then(function (yes) {
      if (!yes) return;
      var body = { national_id: nid };
      if (name) body.name = name;
      PF.$('#admin-button').disabled = true;
      PF.api('POST', '/schools/' + encodeURIComponent(d) + '/admins', body).then(function (r) {
        var a = r.account;
        if (!r.changed) PF.show(amsg, 'ok', a.name + '（' + a.id + '）已是' + s.name + '的校管理者。');
        else if (r.created) PF.show(amsg, 'ok', '已建立' + s.name + '的校管理者帳號。');
        else PF.show(amsg, 'ok', '已授予 ' + a.name + '（' + a.id + '）校管理者角色。');
        amsg.appendChild(h('dl.facts#admin-made',
          h('dt', '學校'), h('dd', label(s)),
          h('dt', '帳號'), h('dd', h('strong', a.id)),
          h('dt', '姓名'), h('dd', a.name || '—'),
          h('dt', '密碼'), h('dd', r.created ? '初始密碼是身分證字號後六碼，第一次登入須變更。' : '沿用原本的密碼。')));
        admin.national_id.value = '';
        admin.name.value = '';
      }, function (err) {
        PF.showError(amsg, err);
        if (err.code === 'invalid_national_id') admin.national_id.focus();
        else if (err.code === 'invalid_field' && !name) admin.name.focus();
      }).then(function () { PF.$('#admin-button').disabled = false; });
    });
  });

  return list();
});
