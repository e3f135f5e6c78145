/* The certification queue (T1, T2, P5): the waiting count on arrival,
   a preview of each file, pass/fail with a note, bulk publish (發佈). */
'use strict';
PF.start({ need: PF.isTeacher }, function (me) {
  var h = PF.h, term = '', first = true;

  function fileUrl(o, kind) { return 'api/outcomes/' + encodeURIComponent(o.id) + '/' + kind; }

  /* an element that shows the file: pdf in an iframe, images, audio, video */
  function viewer(o, kind) {
    var f = o[kind], url = fileUrl(o, kind), title = o.student_name + ' ' + o.course_name + '：' + (f.name || kind);
    var mime = f.mime || '';
    if (mime === 'application/pdf') return h('iframe', { src: url, title: title + '（PDF 預覽）' });
    if (mime.indexOf('image/') === 0) return h('img', { src: url, alt: title });
    if (mime.indexOf('audio/') === 0) return h('audio', { controls: true, preload: 'metadata', src: url, 'aria-label': title });
    if (mime.indexOf('video/') === 0) return h('video', { controls: true, preload: 'metadata', src: url, 'aria-label': title });
    return h('p', '無法預覽這種檔案，請下載檢視。');
  }

  function previewButton(o, kind, area) {
    var f = o[kind];
    if (!f) return null;
    var shown = false, panel = h('div.preview', { hidden: true, id: 'preview-' + kind + '-' + o.id });
    area.appendChild(panel);
    var b = h('button.secondary', { type: 'button', 'aria-expanded': 'false', 'aria-controls': panel.id, 'class': 'secondary preview-' + kind },
      '預覽' + (kind === 'document' ? '文件' : '影音'));
    b.addEventListener('click', function () {
      shown = !shown;
      if (shown && !panel.firstChild) {
        panel.appendChild(viewer(o, kind));
        panel.appendChild(h('p', h('a', { href: fileUrl(o, kind), target: '_blank', rel: 'noopener' }, '在新視窗開啟 ' + (f.name || '') + '（' + PF.fmtBytes(f.size) + '）')));
      }
      panel.hidden = !shown;
      b.setAttribute('aria-expanded', String(shown));
      b.textContent = (shown ? '收合' : '預覽') + (kind === 'document' ? '文件' : '影音');
    });
    return b;
  }

  function item(o) {
    var decided = !!o.decision, msg = h('div.msg'), area = h('div');
    var rid = 'r-' + o.id, nid = 'note-' + o.id;
    var pass = h('input', { type: 'radio', name: rid, value: 'pass', checked: o.decision === 'pass' });
    var fail = h('input', { type: 'radio', name: rid, value: 'fail', checked: o.decision === 'fail' });
    var note = h('input', { type: 'text', id: nid, maxlength: '100', value: o.note || '', 'aria-describedby': nid + '-hint' });
    var pick = h('input', { type: 'checkbox', id: 'pick-' + o.id, 'class': 'pick', value: o.id, disabled: !decided, checked: decided });
    var save = h('button', { type: 'button', 'class': 'decide' }, '儲存認證結果');
    var li = h('li.item', { id: 'cert-' + o.id, 'data-decision': o.decision || '' },
      h('h3', o['class'] + ' 班 ' + o.seat + ' 號 ' + o.student_name, decided
        ? h('span.status.' + (o.decision === 'pass' ? 'passed' : 'failed'), (o.decision === 'pass' ? '通過' : '不通過') + '（未發佈）')
        : h('span.status.pending', '待認證')),
      h('dl.facts.wide',
        h('dt', '科目名稱'), h('dd', o.course_name + '（' + o.code + '）'),
        h('dt', '學期'), h('dd', PF.termLabel(o.term)),
        h('dt', '內容簡述'), h('dd', o.description),
        h('dt', '送出日期'), h('dd', PF.fmtTime(o.submitted_at)),
        o.acting_for ? [h('dt', '代理'), h('dd', '代理 ' + o.acting_for + ' 認證')] : []),
      h('div.row', previewButton(o, 'document', area), previewButton(o, 'media', area)),
      area,
      h('fieldset', { style: 'margin-top:.75rem' },
        h('legend', '認證'),
        h('label.choice', pass, '通過'), h('label.choice', fail, '不通過'),
        h('div.field', h('label', { 'for': nid }, '評語（選填）'), note,
          h('span.hint', { id: nid + '-hint' }, '最多 100 字，發佈後學生看得到。')),
        h('div.row', save, h('label.choice', pick, '選取發佈'))),
      msg);
    save.addEventListener('click', function () {
      var result = pass.checked ? 'pass' : fail.checked ? 'fail' : null;
      if (!result) { PF.show(msg, 'error', '請選擇「通過」或「不通過」。'); pass.focus(); return; }
      if (Array.from(note.value).length > 100) { PF.show(msg, 'error', '評語最多 100 個字。'); note.focus(); return; }
      save.disabled = true;
      PF.api('POST', '/outcomes/' + encodeURIComponent(o.id) + '/decision', { result: result, note: note.value.trim() }).then(function (r) {
        o.decision = r.outcome.decision; o.note = r.outcome.note;
        var fresh = item(o);
        li.replaceWith(fresh);
        PF.show(fresh.querySelector('.msg'), 'ok', '已儲存：' + (result === 'pass' ? '通過' : '不通過') + '。按「發佈」後學生才會看到。');
        fresh.querySelector('button.decide').focus();
        return refreshCounts();
      }, function (err) { PF.showError(msg, err); save.disabled = false; });
    });
    return li;
  }

  function refreshCounts() {
    return PF.api('GET', '/certifications/count').then(function (c) {
      PF.$('#counts').textContent = '待認證學習成果：' + c.pending + ' 筆（尚未認證 ' + c.undecided + ' 筆，已認證待發佈 ' + c.decided + ' 筆）';
      PF.certBadge(c.pending);
      if (first) {
        first = false;
        if (c.pending) PF.show(PF.$('#arrival'), 'warn', '您目前有 ' + c.pending + ' 則學習成果待認證。');
      }
    });
  }

  function load() {
    return PF.api('GET', '/certifications' + (term ? '?term=' + encodeURIComponent(term) : '')).then(function (r) {
      var q = PF.clear(PF.$('#queue'));
      var w = PF.$('#window');
      w.textContent = term ? '開放認證日期：' + (r.certify_open ? '開放中，至 ' + PF.fmtTime(r.certify_until) + ' 止' : '目前未開放') : '';
      if (!r.certifications.length) q.appendChild(h('li.lead', '目前沒有待認證的學習成果。'));
      r.certifications.forEach(function (o) { q.appendChild(item(o)); });
      // the term list grows from what the queue holds
      var sel = PF.$('#term'), have = Array.from(sel.options).map(function (x) { return x.value; });
      r.certifications.forEach(function (o) {
        if (have.indexOf(o.term) < 0) { have.push(o.term); sel.appendChild(h('option', { value: o.term }, PF.termLabel(o.term))); }
      });
    });
  }

  function publish(body) {
    var m = PF.$('#publish-msg');
    return PF.api('POST', '/certifications/publish', body).then(function (r) {
      var words = { not_found: '找不到', not_reviewer: '不是您的認證項目', not_pending: '已不是待認證', undecided: '尚未認證', window_closed: '不在認證期間' };
      PF.show(m, r.published.length ? 'ok' : 'warn', r.published.length ? '已發佈 ' + r.published.length + ' 筆認證結果，學生已可查看。' : '沒有發佈任何認證結果。');
      if (r.skipped && r.skipped.length) {
        m.appendChild(h('ul', r.skipped.map(function (s) {
          return h('li', '未發佈 ' + s.id + '：' + (words[s.reason] || s.reason) + (s.message ? '（' + s.message + '）' : ''));
        })));
      }
      return Promise.all([load(), refreshCounts()]);
    }, function (err) { PF.showError(m, err); });
  }

  PF.$('#publish-selected').addEventListener('click', function () {
    var ids = Array.from(document.querySelectorAll('input.pick:checked')).map(function (x) { return x.value; });
    if (!ids.length) { PF.show(PF.$('#publish-msg'), 'error', '請先勾選要發佈的認證結果（須已儲存通過或不通過）。'); return; }
    publish({ ids: ids });
  });
  PF.$('#publish-all').addEventListener('click', function () { publish({ all: true }); });

  var sel = PF.$('#term');
  sel.appendChild(h('option', { value: '' }, '全部學期'));
  sel.addEventListener('change', function () { term = sel.value; load().catch(function (e) { PF.showError(PF.$('#page-msg'), e); }); });

  return Promise.all([refreshCounts(), load()]);
});
