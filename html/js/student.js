/* The student's dashboard (P11): grades, rewards and attendance of the
   term, outcomes waiting for certification, open windows, quota (P10). */
'use strict';
PF.start({ need: PF.isStudent }, function (me) {
  var h = PF.h, sid = encodeURIComponent(me.user.id), records, basic;

  var REWARDS = [['commendation', '嘉獎'], ['minor_merit', '小功'], ['major_merit', '大功'],
                 ['warning', '警告'], ['minor_demerit', '小過'], ['major_demerit', '大過']];
  var ATTENDANCE = [['late', '遲到'], ['absent', '曠課'], ['sick', '病假'],
                    ['official', '公假'], ['personal', '事假'], ['bereavement', '喪假']];

  function countsTable(caption, names, values) {
    if (!values) return h('p.lead', '本學期尚無' + caption + '資料。');
    return h('table.counts',
      h('caption.visually-hidden', caption),
      h('thead', h('tr', names.map(function (n) { return h('th', { scope: 'col' }, n[1]); }))),
      h('tbody', h('tr', names.map(function (n) { return h('td', String(values[n[0]] || 0)); }))));
  }

  function draw(term) {
    var courses = ((records.terms || []).filter(function (t) { return t.term === term; })[0] || {}).courses || [];
    var b = ((basic.terms || []).filter(function (t) { return t.term === term; })[0]) || {};

    var g = PF.clear(PF.$('#grades'));
    if (!courses.length) g.appendChild(h('p.lead', '本學期尚無修課紀錄。'));
    else g.appendChild(h('table',
      h('caption.visually-hidden', PF.termLabel(term) + '成績'),
      h('thead', h('tr', h('th', { scope: 'col' }, '科目'), h('th.num', { scope: 'col' }, '學分'), h('th.num', { scope: 'col' }, '成績'))),
      h('tbody', courses.map(function (c) {
        return h('tr', h('th', { scope: 'row' }, c.name), h('td.num', String(c.credits)),
                 h('td.num', c.grade === null || c.grade === undefined ? '尚未登錄' : String(c.grade)));
      }))));
    PF.append(PF.clear(PF.$('#rewards')), [countsTable('獎懲', REWARDS, b.rewards)]);
    PF.append(PF.clear(PF.$('#attendance')), [countsTable('出缺勤', ATTENDANCE, b.attendance)]);

    var o = PF.clear(PF.$('#outcomes')), notice = PF.$('#notice');
    PF.hide(notice);
    PF.api('GET', '/outcomes?term=' + encodeURIComponent(term)).then(function (r) {
      var n = { draft: 0, pending: 0, passed: 0, failed: 0 };
      r.outcomes.forEach(function (x) { n[x.status] = (n[x.status] || 0) + 1; });
      o.appendChild(h('table.counts',
        h('caption.visually-hidden', '課程學習成果件數'),
        h('thead', h('tr', h('th', { scope: 'col' }, '已上傳'), h('th', { scope: 'col' }, '未送出'),
                     h('th', { scope: 'col' }, '待認證'), h('th', { scope: 'col' }, '通過'), h('th', { scope: 'col' }, '不通過'))),
        h('tbody', h('tr', h('td', r.term_count + ' / ' + r.term_limit), h('td', String(n.draft)),
                     h('td', { id: 'pending-count' }, String(n.pending)), h('td', String(n.passed)), h('td', String(n.failed))))));
      o.appendChild(h('p', { style: 'margin-top:.6rem' },
        h('a', { href: 'upload.html?term=' + term }, '上傳學習成果'), '　',
        h('a', { href: 'results.html?term=' + term }, '查看認證結果')));
      if (n.draft) PF.show(notice, 'warn', '您有 ' + n.draft + ' 件學習成果尚未送出認證。※點「送出認證」才算完成。');
      else if (n.passed + n.failed) PF.show(notice, 'info', '您有 ' + (n.passed + n.failed) + ' 則學習成果認證已發佈，請至【學習成果認證】中查看。');
    }, function (err) { PF.showError(o.appendChild(h('div.msg')), err); });

    var w = PF.clear(PF.$('#windows'));
    PF.api('GET', '/schools/' + encodeURIComponent(me.user.school) + '/terms/' + encodeURIComponent(term) + '/windows').then(function (r) {
      w.appendChild(h('ul.items', ['upload', 'certify', 'select'].map(function (k) {
        var x = r.windows[k] || {};
        return h('li', { style: 'margin-bottom:.4rem' },
          h('strong', PF.WINDOW_KIND[k]), '　',
          h('span.status.' + (x.open ? 'open' : 'closed'), x.open ? '開放中' : '未開放'), h('br'),
          x.from ? PF.fmtTime(x.from) + ' ～ ' + PF.fmtTime(x.to) : '尚未設定期間');
      })));
    }, function (err) { PF.showError(w.appendChild(h('div.msg')), err); });
  }

  var q = PF.clear(PF.$('#quota'));
  PF.api('GET', '/me/quota').then(function (r) {
    var pct = r.quota_bytes ? Math.min(100, r.used_bytes / r.quota_bytes * 100) : 0;
    q.appendChild(h('p', { id: 'quota-text' }, '已使用空間：' + PF.fmtBytes(r.used_bytes) + ' / ' + PF.fmtBytes(r.quota_bytes) +
      '（' + r.files + ' 個檔案）'));
    q.appendChild(h('meter', { min: '0', max: String(r.quota_bytes), value: String(r.used_bytes),
      'aria-label': '已使用空間 ' + pct.toFixed(1) + '%' }));
  }, function (err) { PF.showError(q.appendChild(h('div.msg')), err); });

  return Promise.all([
    PF.studentTerms(me),
    PF.api('GET', '/students/' + sid + '/record')
  ]).then(function (res) {
    records = res[0].records;
    basic = res[1];
    var term = PF.termPicker(PF.$('#term'), res[0].terms, draw);
    draw(term);
  });
});
