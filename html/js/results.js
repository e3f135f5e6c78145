/* Certification results (P5 as the student sees it): status, teacher,
   dates and note once the teacher has published (發佈). */
'use strict';
PF.start({ need: PF.isStudent }, function (me) {
  var h = PF.h, records, term;

  function course(code) {
    var t = (records.terms || []).filter(function (x) { return x.term === term; })[0] || {};
    return (t.courses || []).filter(function (c) { return c.code === code; })[0] || {};
  }
  function teacherName(c, id) {
    if (!id) return '—';
    if (id === c.teacher) return c.teacher_name || id;
    var co = (c.co_teachers || []).filter(function (t) { return t.id === id; })[0];
    return co ? co.name || id : id;
  }

  function draw() {
    var school = encodeURIComponent(me.user.school);
    return Promise.all([
      PF.api('GET', '/outcomes?term=' + encodeURIComponent(term)),
      PF.api('GET', '/schools/' + school + '/terms/' + encodeURIComponent(term) + '/windows').catch(function () { return null; })
    ]).then(function (res) {
      var sent = res[0].outcomes.filter(function (o) { return o.status !== 'draft'; });
      var n = { pending: 0, passed: 0, failed: 0 };
      sent.forEach(function (o) { n[o.status]++; });
      var w = res[1] && res[1].windows && res[1].windows.certify;
      PF.show(PF.$('#summary'), 'info', PF.termLabel(term) + '　待認證：' + n.pending + '　通過：' + n.passed + '　不通過：' + n.failed +
        '　開放認證日期：' + (w && w.from ? PF.fmtDate(w.from) + ' ～ ' + PF.fmtDate(w.to) : '尚未設定'));
      var drafts = res[0].outcomes.length - sent.length;
      var list = PF.clear(PF.$('#list'));
      if (drafts) list.appendChild(h('li.msg.warn', '另有 ' + drafts + ' 件尚未送出認證，請至 ', h('a', { href: 'upload.html?term=' + term }, '上傳學習成果'), ' 按「送出認證」。'));
      if (!sent.length) list.appendChild(h('li.lead', '本學期尚無送出認證的學習成果。'));
      sent.sort(function (a, b) { return (b.submitted_at || 0) - (a.submitted_at || 0); }).forEach(function (o) {
        var c = course(o.code), published = o.status === 'passed' || o.status === 'failed';
        var li = h('li.item', { id: 'outcome-' + o.id, 'data-status': o.status },
          h('h3', o.course_name, PF.statusBadge(o.status)),
          h('dl.facts.wide',
            h('dt', '學年度／學期'), h('dd', PF.termLabel(o.term)),
            h('dt', '學分／時數'), h('dd', c.credits === undefined ? '—' : String(c.credits)),
            h('dt', '成績'), h('dd', c.grade === null || c.grade === undefined ? '—' : String(c.grade)),
            h('dt', '授課教師'), h('dd', c.teacher_name || c.teacher || '—'),
            h('dt', '送出日期'), h('dd', PF.fmtTime(o.submitted_at)),
            h('dt', '認證教師'), h('dd', teacherName(c, published ? o.decided_by || o.reviewer : o.reviewer)),
            h('dt', '認證日期'), h('dd', published ? PF.fmtTime(o.published_at || o.decided_at) : '—'),
            h('dt', '認證狀態'), h('dd', h('strong', PF.STATUS[o.status])),
            h('dt', '內容簡述'), h('dd', o.description),
            h('dt', '成果檔案'), h('dd', o.document
              ? h('a', { href: 'api/outcomes/' + encodeURIComponent(o.id) + '/document', target: '_blank', rel: 'noopener' }, '檢視 ' + (o.document.name || ''))
              : '—', o.media ? ['　', h('a', { href: 'api/outcomes/' + encodeURIComponent(o.id) + '/media', target: '_blank', rel: 'noopener' }, '影音 ' + (o.media.name || ''))] : null),
            published ? [h('dt', '教師評語'), h('dd.note', o.note || '（無）')] : []));
        if (o.status === 'failed') li.appendChild(h('p', '未通過認證。您可以', h('a', { href: 'upload.html?term=' + o.term }, '重新上傳另一份學習成果'), '。'));
        if (o.status === 'passed') li.appendChild(h('p', '已通過認證，可至', h('a', { href: 'select.html?term=' + o.term }, '勾選學習成果'), '勾選提交中央資料庫。'));
        list.appendChild(li);
      });
    });
  }

  return PF.studentTerms(me).then(function (r) {
    records = r.records;
    term = PF.termPicker(PF.$('#term'), r.terms, function (t) { term = t; draw().catch(function (e) { PF.showError(PF.$('#page-msg'), e); }); });
    return draw();
  });
});
