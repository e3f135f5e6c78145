/* Role grants (A5, AD1), plugin accounts; granting 校管理者 asks first:
   GET /schools/{school}/accounts?role=&q=&limit=&after=,
   PUT/DELETE /schools/{school}/accounts/{account}/roles/{role}. */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, school = encodeURIComponent(me.user.school), form = PF.$('#search');
  var GRANTABLE = ['school_admin', 'counselor', 'consultant', 'outcome_submitter', 'performance_submitter', 'standin'];
  var FILTER = ['teacher', '', 'student'].concat(GRANTABLE);
  var STATE = { active: '使用中', expired: '已過期', disabled: '已停用' };
  var PAGE = 200, next = null, tbody = null;
  FILTER.forEach(function (r) { form.role.appendChild(h('option', { value: r }, r ? PF.ROLE[r] : '全部帳號')); });
  var words = {
    role_from_sis: '這個角色由校務行政系統帶入，不能在這裡授予或取消。',
    role_not_grantable: '這個角色不能授予。',
    unknown_role: '沒有這個角色。',
    not_staff: '學生或家長帳號不能授予教職員角色。',
    own_admin_role: '不能取消自己的校管理者角色。'
  };

  function unavailable(err) {
    if (PF.noRoute(err)) {
      PF.show(PF.$('#page-msg'), 'warn', '維護角色權限功能尚未啟用：伺服器還沒有提供帳號與角色的服務（accounts 外掛）。', err.message);
      PF.$('#search-button').disabled = true;
      return true;
    }
    return false;
  }

  function roleCell(acc, role) {
    var staff = acc.roles.indexOf('student') < 0 && acc.roles.indexOf('parent') < 0;
    if (!staff) return h('td.num', { 'data-label': PF.ROLE[role] }, h('span', { 'aria-label': '不適用' }, '—'));
    var box = h('input', { type: 'checkbox', checked: acc.roles.indexOf(role) >= 0,
                           'aria-label': acc.name + '（' + acc.id + '）：' + PF.ROLE[role] });
    box.addEventListener('change', function () {
      var want = box.checked;
      if (!(want && role === 'school_admin')) { change(want); return; }
      // the whole school's data and every admin power: said, and asked, first
      box.checked = false;
      PF.confirmAction({
        title: '授予校管理者角色？',
        text: ['將授予 ' + acc.name + '（' + acc.id + '）「校管理者」角色，立即生效。',
               '校管理者可以匯入校務資料、設定作業期間與功能參數、授予或取消角色、核發臨時帳號，並查看全校學生的學習歷程資料。'],
        after: '之後可以在這裡取消這個角色，但對方在取消之前所做的變更不會因此復原。',
        ok: '授予校管理者'
      }).then(function (yes) {
        if (!yes) { PF.show(PF.$('#result-msg'), 'info', '沒有授予，' + acc.name + '（' + acc.id + '）的角色沒有變更。'); return; }
        box.checked = true;
        change(true);
      });
    });
    function change(want) {
      var m = PF.$('#result-msg');
      box.disabled = true;
      PF.api(want ? 'PUT' : 'DELETE', '/schools/' + school + '/accounts/' + encodeURIComponent(acc.id) + '/roles/' + role,
             want ? {} : undefined).then(function (r) {
        if (r.account && r.account.roles) acc.roles = r.account.roles;
        PF.show(m, 'ok', (want ? '已授予 ' : '已取消 ') + acc.name + '（' + acc.id + '）「' + PF.ROLE[role] + '」角色，立即生效。');
      }, function (err) {
        box.checked = !want;
        if (unavailable(err)) return;
        var w = PF.explain(err);
        PF.show(m, 'error', words[err.code] || w.text, w.detail);
      }).then(function () { box.disabled = false; });
    }
    return h('td.num', { 'data-label': PF.ROLE[role] }, box);
  }

  function rows(list) {
    list.forEach(function (a) {
      a.roles = a.roles || [];
      var others = a.roles.filter(function (r) { return GRANTABLE.indexOf(r) < 0; }).map(function (r) { return PF.ROLE[r] || r; });
      tbody.appendChild(h('tr', { id: 'acc-' + a.id },
        h('th', { scope: 'row' }, a.name || '—'),
        h('td', { 'data-label': '帳號' }, a.id, a.temporary ? h('span.hint', '臨時帳號' + (a.expires ? '，至 ' + PF.fmtDate(a.expires) : '')) : null),
        h('td', { 'data-label': '班級' }, a['class'] || '—'),
        h('td', { 'data-label': '狀態' }, STATE[a.state] || a.state || '—'),
        h('td', { 'data-label': '其他角色' }, others.join('、') || '—'),
        GRANTABLE.map(function (r) { return roleCell(a, r); })));
    });
  }

  function draw(r, more) {
    var wrap = PF.$('#result'), list = Array.isArray(r) ? r : (r.accounts || []);
    next = r.next || null;
    if (!more) {
      PF.clear(wrap);
      if (!list.length) { wrap.appendChild(h('p.lead', '沒有符合的帳號。')); return; }
      tbody = h('tbody');
      wrap.appendChild(h('table#accounts.stack-sm',
        h('caption.visually-hidden', '帳號與角色'),
        h('thead', h('tr', ['姓名', '帳號', '班級', '狀態', '其他角色'].map(function (c) { return h('th', { scope: 'col' }, c); }),
          GRANTABLE.map(function (g) { return h('th.num', { scope: 'col' }, PF.ROLE[g]); }))),
        tbody));
      wrap.appendChild(h('p', { id: 'more-row' }));
    }
    rows(list);
    var moreRow = PF.clear(PF.$('#more-row'));
    if (next) moreRow.appendChild(h('button.secondary', { type: 'button', on: { click: function () { search(true); } } }, '載入更多帳號'));
  }

  function search(more) {
    var q = new URLSearchParams();
    if (form.role.value) q.set('role', form.role.value);
    if (form.q.value.trim()) q.set('q', form.q.value.trim());
    q.set('limit', String(PAGE));
    if (more && next) q.set('after', next);
    if (!more) PF.hide(PF.$('#result-msg'));
    return PF.api('GET', '/schools/' + school + '/accounts?' + q).then(function (r) { draw(r, more); }, function (err) {
      if (!unavailable(err)) PF.showError(PF.$('#result-msg'), err);
    });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); search(false); });
  return search(false);
});
