/* Selection for the central database (P6): ticks with the (n/limit)
   counters, and the reason in words when a tick is refused. */
'use strict';
PF.start({ need: PF.isStudent }, function (me) {
  var h = PF.h, term;

  function counters(r) {
    if (r.term) {
      PF.$('#term-limit').textContent = r.term.limit;
      PF.$('#term-counter').textContent = r.term.text;
    }
    if (r.year) {
      PF.$('#year-limit').textContent = r.year.limit;
      PF.$('#year-counter').textContent = r.year.text;
    }
  }

  function row(o, open) {
    var id = 'sel-' + o.id, reason = h('p.refusal', { role: 'alert', id: 'reason-' + o.id });
    var state = h('span.status.' + (o.selected ? 'passed' : 'closed'), o.selected ? '已勾選' : '未勾選');
    var box = h('input', { type: 'checkbox', id: id, checked: !!o.selected, disabled: !open, 'aria-describedby': 'reason-' + o.id });
    box.addEventListener('change', function () {
      var want = box.checked;
      box.disabled = true;
      reason.textContent = '';
      PF.api(want ? 'POST' : 'DELETE', '/outcomes/' + encodeURIComponent(o.id) + '/selection', want ? {} : undefined).then(function (r) {
        counters(r);
        state.className = 'status ' + (want ? 'passed' : 'closed');
        state.textContent = want ? '已勾選' : '未勾選';
      }, function (err) {
        box.checked = !want;           // the tick did not happen
        var w = PF.explain(err, '勾選');
        reason.textContent = (want ? '無法勾選：' : '無法取消勾選：') + w.text;
      }).then(function () { box.disabled = !open; });
    });
    return h('li.item', { id: 'outcome-' + o.id },
      h('h3', o.course_name, state),
      h('dl.facts.wide',
        h('dt', '內容簡述'), h('dd', o.description),
        h('dt', '認證日期'), h('dd', PF.fmtTime(o.published_at)),
        h('dt', '成果檔案'), h('dd', o.document
          ? h('a', { href: 'api/outcomes/' + encodeURIComponent(o.id) + '/document', target: '_blank', rel: 'noopener' }, '檢視 ' + (o.document.name || ''))
          : (o.media ? h('a', { href: 'api/outcomes/' + encodeURIComponent(o.id) + '/media', target: '_blank', rel: 'noopener' }, '影音 ' + (o.media.name || '')) : '—'))),
      h('label.tick', { 'for': id }, box, '勾選「' + o.course_name + '：' + o.description + '」提交中央資料庫'),
      reason);
  }

  function draw() {
    return PF.api('GET', '/selections?term=' + encodeURIComponent(term)).then(function (r) {
      counters(r);
      var open = r.window && r.window.open;
      PF.$('#window').textContent = open
        ? '勾選期間：開放中，至 ' + PF.fmtTime(r.window.to) + ' 止。'
        : '勾選期間：目前未開放，無法勾選或取消勾選。';
      var list = PF.clear(PF.$('#list'));
      if (!r.outcomes.length) list.appendChild(h('li.lead', '本學期尚無通過認證的學習成果可以勾選。'));
      r.outcomes.forEach(function (o) { list.appendChild(row(o, open)); });
    });
  }

  return PF.studentTerms(me).then(function (r) {
    term = PF.termPicker(PF.$('#term'), r.terms, function (t) { term = t; draw().catch(function (e) { PF.showError(PF.$('#page-msg'), e); }); });
    return draw();
  });
});
