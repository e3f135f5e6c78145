/* The student's dashboard (P11): grades, rewards and attendance of the
   term, outcomes waiting for certification, what is not sent yet (drafts
   on the server and uploads kept in this browser) with the upload
   window's end, the 勾選 counters (n/3) (n/6), newly published results
   with 已讀 (N5), open windows, quota (P10). */
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

    var o = PF.clear(PF.$('#outcomes')), notice = PF.$('#notice'), u = PF.clear(PF.$('#unsent'));
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
      var unsent = drawUnsent(u, term, r, courses);
      if (unsent) PF.show(notice, 'warn', '您有 ' + unsent + ' 件學習成果尚未送出認證。※點「送出認證」才算完成。');
    }, function (err) { PF.showError(o.appendChild(h('div.msg')), err); });

    drawSelection(PF.clear(PF.$('#selection')), term);

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

  /* Drafts on the server and uploads kept in this browser (upload.js),
     with the window's end: after it nothing can be sent. The count. */
  function drawUnsent(box, term, r, courses) {
    var kept = PF.drafts.get(me.user.id, term), rows = [];
    var WHAT = { document: '文件', media: '影音檔案' };
    function courseName(code) {
      return (courses.filter(function (c) { return c.code === code; })[0] || {}).name || code || '（未選科目）';
    }
    function again(d) {
      return ['document', 'media'].filter(function (k) { return d && d[k]; })
        .map(function (k) { return '請重新選擇' + WHAT[k] + '：' + d[k]; });
    }
    r.outcomes.filter(function (x) { return x.status === 'draft'; }).forEach(function (x) {
      var mine = kept && kept.outcome === x.id ? again(kept) : [];
      var state = mine.length ? '上傳未完成：' + mine.join('；')
        : x.document || x.media ? '檔案已上傳，尚未送出認證' : '尚未上傳檔案';
      rows.push(h('li', { 'data-outcome': x.id }, h('strong', x.course_name + '：' + x.description), h('br'), state));
    });
    var known = kept && kept.outcome && r.outcomes.some(function (x) { return x.id === kept.outcome && x.status === 'draft'; });
    if (kept && !known && ((kept.description || '').trim() || kept.document || kept.media)) {
      var parts = again(kept);
      rows.push(h('li', { 'data-kept': term },
        h('strong', courseName(kept.code) + '：' + ((kept.description || '').trim() || '（尚未填寫內容簡述）')), h('br'),
        '尚未上傳，內容保留在這台電腦的瀏覽器' + (parts.length ? '：' + parts.join('；') : '')));
    }
    if (!rows.length) {
      box.appendChild(h('p.lead', '本學期沒有尚未送出的學習成果。'));
    } else {
      box.appendChild(h('ul.unsent', rows));
      box.appendChild(h('p', { id: 'unsent-window' }, r.upload_open
        ? '上傳及送出認證期限：' + PF.fmtTime(r.upload_until) + ' 止，逾期就不能送出認證。'
        : '上傳期間目前未開放，無法上傳或送出認證。'));
      box.appendChild(h('p', h('a', { href: 'upload.html?term=' + term }, '繼續上傳並送出認證')));
    }
    PF.drafts.of(me.user.id).filter(function (x) { return x.term !== term; }).forEach(function (x) {
      box.appendChild(h('p', PF.termLabel(x.term) + '也有未完成的上傳：',
        h('a', { href: 'upload.html?term=' + x.term }, '前往上傳學習成果')));
    });
    return rows.length;
  }

  /* 勾選 progress: (n/3) a term, (n/6) a school year, from the server */
  function drawSelection(box, term) {
    PF.api('GET', '/selections?term=' + encodeURIComponent(term)).then(function (r) {
      var w = r.window || {};
      box.appendChild(h('p', '每學期勾選至多 ' + r.term.limit + ' 件 ', h('span.counter#dash-term-counter', r.term.text)));
      box.appendChild(h('p', '每學年勾選至多 ' + r.year.limit + ' 件 ', h('span.counter#dash-year-counter', r.year.text)));
      box.appendChild(h('p.hint', w.open ? '勾選期間：開放中，至 ' + PF.fmtTime(w.to) + ' 止。' : '勾選期間：目前未開放。'));
      box.appendChild(h('p', h('a', { href: 'select.html?term=' + term }, '勾選學習成果')));
    }, function (err) { PF.showError(box.appendChild(h('div.msg')), err); });
  }

  /* N5: results published since the student last marked them read */
  function drawNotices() {
    var box = PF.$('#results-notice');
    return PF.api('GET', '/me/notices').then(function (r) {
      if (!r.notices.length) { PF.hide(box); return; }
      PF.show(box, 'info', '您有 ' + r.notices.length + ' 則學習成果認證已發佈，請至【學習成果認證】中查看：');
      box.appendChild(h('ul', r.notices.map(function (x) {
        return h('li', PF.termLabel(x.term) + ' ' + x.course_name + '「' + x.description + '」：',
          h('strong', x.status === 'passed' ? '通過' : '不通過'), x.note ? '（教師評語：' + x.note + '）' : '');
      })));
      var read = h('button#notices-read', { type: 'button' }, '已讀');
      box.appendChild(h('div.row', read,
        h('a.button.secondary', { href: 'results.html?term=' + encodeURIComponent(r.notices[r.notices.length - 1].term) }, '查看認證結果')));
      read.addEventListener('click', function () {
        read.disabled = true;
        PF.api('POST', '/me/notices/read', { ids: r.notices.map(function (x) { return x.id; }) }).then(function () {
          PF.show(box, 'ok', '已讀。之後有新發佈的認證結果會再通知您。');
          box.focus();
        }, function (err) { PF.showError(box, err); });
      });
    }, function (err) {
      if (err.status === 404 && err.code === 'not_found') { PF.hide(box); return; }   // a server without them
      PF.showError(box, err);
    });
  }
  drawNotices();

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
