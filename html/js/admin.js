/* The school admin's start page: the term's windows and the teachers
   with outcomes waiting for certification (AD4). */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, school = encodeURIComponent(me.user.school);

  function draw(term) {
    var w = PF.clear(PF.$('#windows')), u = PF.clear(PF.$('#uncertified'));
    var t = encodeURIComponent(term);
    var a = PF.api('GET', '/schools/' + school + '/terms/' + t + '/windows').then(function (r) {
      w.appendChild(h('ul', ['upload', 'certify', 'select'].map(function (k) {
        var x = r.windows[k] || {};
        return h('li', h('strong', PF.WINDOW_KIND[k]), '　', h('span.status.' + (x.open ? 'open' : 'closed'), x.open ? '開放中' : '未開放'), h('br'),
          x.from ? PF.fmtTime(x.from) + ' ～ ' + PF.fmtTime(x.to) : '尚未設定期間');
      })));
    }, function (err) { PF.showError(w.appendChild(h('div.msg')), err); });
    var b = PF.api('GET', '/schools/' + school + '/reports/uncertified?term=' + t).then(function (r) {
      if (!r.teachers.length) { u.appendChild(h('p.lead', PF.termLabel(term) + '沒有待認證的學習成果。')); return; }
      u.appendChild(h('p', '共 ' + r.total_teachers + ' 位教師、' + r.total_outcomes + ' 件學習成果待認證或待發佈。'));
      u.appendChild(h('table', h('caption.visually-hidden', '未認證教師狀況表'),
        h('thead', h('tr', ['教師', '待處理', '未認證', '未發佈', '最早送出'].map(function (c) { return h('th', { scope: 'col' }, c); }))),
        h('tbody', r.teachers.map(function (x) {
          return h('tr', h('th', { scope: 'row' }, x.name || x.teacher), h('td.num', String(x.waiting)), h('td.num', String(x.undecided)),
                   h('td.num', String(x.unpublished)), h('td', PF.fmtTime(x.oldest_submitted_at)));
        }))));
    }, function (err) { PF.showError(u.appendChild(h('div.msg')), err); });
    return Promise.all([a, b]);
  }
  return draw(PF.adminTerm(PF.$('#term-form'), draw));
});
