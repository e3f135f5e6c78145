/* The certification queue (T1, T2, P5): the waiting count on arrival,
   a preview of each file, pass/fail with a note, bulk publish (發佈).
   A choice is kept as it is made: 通過/不通過 is saved at once as the
   decision (the student sees nothing until 發佈), a note a moment after
   typing stops; a choice the server has not taken yet is shown as unsaved
   and held in this tab (sessionStorage) until it is. Publishing saves
   every held choice first and refuses, saying which, while one is still
   unsaved; it says what it will publish and waits for 確定. Filters by
   class, subject and student; the counters are the list's. */
'use strict';
PF.start({ need: PF.isTeacher }, function (me) {
  var h = PF.h, term = '', first = true, items = [], total = null;
  var HELD = 'pf-cert-held/' + me.user.id;
  var NOTE_MAX = 100, CHUNK = 500;
  var q = new URLSearchParams(location.search);
  var filter = { cls: q.get('class') || '', subject: q.get('subject') || '', student: q.get('student') || '' };

  /* ---------- held choices (not saved yet), by outcome id ---------- */

  function heldAll() {
    try { return JSON.parse(sessionStorage.getItem(HELD) || '{}') || {}; } catch (e) { return {}; }
  }
  function hold(id, want) {
    var all = heldAll();
    if (want) all[id] = want; else delete all[id];
    try { sessionStorage.setItem(HELD, JSON.stringify(all)); } catch (e) { /* kept on the page only */ }
  }

  /* ---------- files ---------- */

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

  /* ---------- one outcome: its choice and whether the server has it ---------- */

  function who(o) { return o['class'] + ' 班 ' + (o.seat === null || o.seat === undefined ? '—' : o.seat) + ' 號 ' + o.student_name; }
  function label(it) { return who(it.o) + '　' + it.o.course_name; }
  function word(result) { return result === 'pass' ? '通過' : '不通過'; }
  function trimmed(s) { return (s || '').trim(); }

  /* the choice differs from what the server has */
  function dirty(it) {
    return it.want.result !== it.saved.result || trimmed(it.want.note) !== it.saved.note;
  }
  /* a choice made that the server has not taken (a note alone is no choice) */
  function unsaved(it) { return !!it.want.result && dirty(it); }

  function show(it) {
    var st = PF.clear(it.state), s;
    if (it.saving) {
      s = 'saving'; st.textContent = '儲存中…';
    } else if (it.failed && dirty(it)) {
      s = 'failed';
      st.appendChild(document.createTextNode('尚未儲存（' + word(it.want.result) + '）：' + it.failed.text));
      st.appendChild(h('button.secondary', { type: 'button', 'class': 'secondary retry', on: { click: function () { save(it); } } }, '重試'));
    } else if (dirty(it) && !it.want.result) {
      s = 'unsaved'; st.textContent = '評語尚未儲存：請選擇「通過」或「不通過」。';
    } else if (dirty(it)) {
      s = 'unsaved'; st.textContent = '尚未儲存…';
    } else if (it.saved.result) {
      s = 'saved';
      st.textContent = '已儲存：' + word(it.saved.result) + (it.saved.note ? '，評語已儲存' : '') + '。按「發佈」後學生才會看到。';
    } else {
      s = 'none'; st.textContent = '尚未認證。';
    }
    st.setAttribute('data-state', s);
    it.li.setAttribute('data-decision', it.saved.result || '');
    it.li.setAttribute('data-state', s);
    PF.clear(it.badge).appendChild(it.saved.result
      ? h('span.status.' + (it.saved.result === 'pass' ? 'passed' : 'failed'), word(it.saved.result) + '（未發佈）')
      : h('span.status.pending', '待認證'));
    it.pick.disabled = !it.saved.result;
    if (!it.saved.result) it.pick.checked = false;
  }

  /* Saves the choice if the server lacks it; resolves when done (or not). */
  function save(it) {
    clearTimeout(it.timer);
    if (it.saving) return it.saving.then(function () { return save(it); });
    if (!it.want.result || !dirty(it)) { show(it); return Promise.resolve(); }
    var want = { result: it.want.result, note: trimmed(it.want.note) };
    if (Array.from(want.note).length > NOTE_MAX) {
      it.failed = { text: '評語最多 ' + NOTE_MAX + ' 個字。' };
      show(it);
      return Promise.resolve();
    }
    it.failed = null;
    var wasDecided = !!it.saved.result;
    it.saving = PF.api('POST', '/outcomes/' + encodeURIComponent(it.o.id) + '/decision', want).then(function (r) {
      it.o.decision = r.outcome.decision;
      it.o.note = r.outcome.note || '';
      it.saved = { result: it.o.decision, note: it.o.note };
      if (!wasDecided) it.pick.checked = true;
      if (!dirty(it)) hold(it.o.id, null);
    }, function (err) {
      it.failed = PF.explain(err);
    }).then(function () {
      it.saving = null;
      show(it);
      counts();
      refreshTotal();
    });
    show(it);
    return it.saving;
  }

  function item(o, held) {
    var rid = 'r-' + o.id, nid = 'note-' + o.id, area = h('div');
    var it = { o: o, saved: { result: o.decision || null, note: o.note || '' } };
    it.want = held ? { result: held.result || null, note: held.note || '' } : { result: it.saved.result, note: it.saved.note };
    var pass = h('input', { type: 'radio', name: rid, value: 'pass', checked: it.want.result === 'pass' });
    var fail = h('input', { type: 'radio', name: rid, value: 'fail', checked: it.want.result === 'fail' });
    var note = h('input', { type: 'text', id: nid, maxlength: String(NOTE_MAX), value: it.want.note, placeholder: '選填，發佈後學生看得到',
                            'aria-describedby': nid + '-hint' });
    it.pick = h('input', { type: 'checkbox', id: 'pick-' + o.id, 'class': 'pick', value: o.id, checked: !!it.saved.result });
    it.state = h('p.state', { role: 'status' });
    it.badge = h('span.badge-slot');
    it.li = h('li.item.cert', { id: 'cert-' + o.id },
      h('h3', h('span.who', who(o)), h('span.course', o.course_name + '（' + o.code + '）'), it.badge),
      h('dl.facts.wide',
        h('dt', '內容簡述'), h('dd', o.description),
        h('dt', '送出日期'), h('dd', PF.fmtTime(o.submitted_at) + '　' + PF.termLabel(o.term)),
        o.acting_for ? [h('dt', '代理'), h('dd', '代理 ' + o.acting_for + ' 認證')] : []),
      h('div.tools', previewButton(o, 'document', area), previewButton(o, 'media', area)),
      area,
      h('fieldset.decide', { style: 'border:0;padding:0;margin:.35rem 0 0' },
        h('legend.visually-hidden', '認證 ' + who(o) + ' ' + o.course_name),
        h('label.choice', pass, '通過'), h('label.choice', fail, '不通過'),
        h('div.note', h('label', { 'for': nid }, '評語'), note,
          h('span.visually-hidden', { id: nid + '-hint' }, '選填，最多 100 字，發佈後學生看得到。')),
        it.state,
        h('label.choice.pickrow', it.pick, '選取發佈')));
    function choose() {
      it.want.result = pass.checked ? 'pass' : fail.checked ? 'fail' : null;
      it.want.note = note.value;
      hold(o.id, it.want);
      save(it);
    }
    pass.addEventListener('change', choose);
    fail.addEventListener('change', choose);
    note.addEventListener('input', function () {
      it.want.note = note.value;
      hold(o.id, it.want);
      show(it);
      clearTimeout(it.timer);
      it.timer = setTimeout(function () { save(it); }, 700);
    });
    note.addEventListener('change', function () { save(it); });
    note.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); save(it); } });
    it.setPass = function () { pass.checked = true; choose(); };
    show(it);
    return it;
  }

  /* ---------- counters and filters ---------- */

  function counts() {
    var decided = items.filter(function (it) { return it.saved.result; }).length;
    var text = (term ? PF.termLabel(term) + '　' : '') + '待認證學習成果：' + items.length + ' 筆（尚未認證 ' +
      (items.length - decided) + ' 筆，已認證待發佈 ' + decided + ' 筆）';
    if (term && total && total.pending !== items.length) text += '；所有學期共 ' + total.pending + ' 筆';
    PF.$('#counts').textContent = text;
  }

  /* T1: the menu's count and the arrival message, every term */
  function refreshTotal() {
    return PF.api('GET', '/certifications/count').then(function (c) {
      total = c;
      PF.certBadge(c.pending);
      var a = PF.$('#arrival');
      if (first) {
        first = false;
        if (c.pending) PF.show(a, 'warn', '您目前有 ' + c.pending + ' 則學習成果待認證。');
      } else if (a.textContent) {
        if (c.pending) PF.show(a, 'warn', '您目前有 ' + c.pending + ' 則學習成果待認證。');
        else PF.show(a, 'ok', '目前沒有待認證的學習成果。');
      }
      counts();
    });
  }

  function subjectOf(o) { return o.subject || o.course_name; }
  function matches(o) {
    var s = filter.student.trim().toLowerCase();
    if (filter.cls && o['class'] !== filter.cls) return false;
    if (filter.subject && subjectOf(o) !== filter.subject) return false;
    if (!s) return true;
    var number = (o.student || '').replace(/^[a-z]+/i, '');
    return [o.student_name, String(o.seat), o.student, number].some(function (x) { return String(x || '').toLowerCase().indexOf(s) >= 0; });
  }

  function options(sel, values, all) {
    var keep = sel.value;
    PF.clear(sel).appendChild(h('option', { value: '' }, all));
    values.forEach(function (v) { sel.appendChild(h('option', { value: v }, v)); });
    sel.value = values.indexOf(keep) >= 0 ? keep : '';
  }

  function applyFilter() {
    var shown = 0, empty = PF.$('#queue-empty');
    items.forEach(function (it) {
      it.li.hidden = !matches(it.o);
      if (!it.li.hidden) shown++;
    });
    var parts = [];
    if (filter.cls) parts.push('班級 ' + filter.cls);
    if (filter.subject) parts.push('科目 ' + filter.subject);
    if (filter.student.trim()) parts.push('學生「' + filter.student.trim() + '」');
    PF.$('#shown').textContent = parts.length ? '顯示 ' + shown + ' 筆（共 ' + items.length + ' 筆；篩選：' + parts.join('、') + '）' : '';
    if (empty) empty.remove();
    if (items.length && !shown) PF.$('#queue').appendChild(h('li.lead#queue-empty', '沒有符合篩選條件的學習成果。'));
    var u = new URLSearchParams(location.search);
    [['class', filter.cls], ['subject', filter.subject], ['student', filter.student]].forEach(function (p) {
      if (p[1]) u.set(p[0], p[1]); else u.delete(p[0]);
    });
    history.replaceState(null, '', u.toString() ? '?' + u.toString() : location.pathname);
  }

  function load() {
    return PF.api('GET', '/certifications' + (term ? '?term=' + encodeURIComponent(term) : '')).then(function (r) {
      var list = PF.clear(PF.$('#queue')), held = heldAll(), here = {};
      var w = PF.$('#window');
      w.textContent = term ? '開放認證日期：' + (r.certify_open ? '開放中，至 ' + PF.fmtTime(r.certify_until) + ' 止' : '目前未開放') : '';
      items = r.certifications.map(function (o) { here[o.id] = true; return item(o, held[o.id]); });
      if (!term) Object.keys(held).forEach(function (id) { if (!here[id]) hold(id, null); });   // published or gone
      if (!items.length) list.appendChild(h('li.lead', '目前沒有待認證的學習成果。'));
      items.forEach(function (it) { list.appendChild(it.li); });
      // the term list grows from what the queue holds
      var sel = PF.$('#term'), have = Array.from(sel.options).map(function (x) { return x.value; });
      r.certifications.forEach(function (o) {
        if (have.indexOf(o.term) < 0) { have.push(o.term); sel.appendChild(h('option', { value: o.term }, PF.termLabel(o.term))); }
      });
      var uniq = function (a) { return a.filter(function (v, i) { return v && a.indexOf(v) === i; }).sort(); };
      options(PF.$('#f-class'), uniq(items.map(function (it) { return it.o['class']; })), '全部班級');
      options(PF.$('#f-subject'), uniq(items.map(function (it) { return subjectOf(it.o); })), '全部科目');
      PF.$('#f-class').value = filter.cls;
      PF.$('#f-subject').value = filter.subject;
      filter.cls = PF.$('#f-class').value;           // one no longer in the queue is dropped
      filter.subject = PF.$('#f-subject').value;
      applyFilter();
      counts();
      // a choice held from before (a save that did not reach the server): saved now
      items.forEach(function (it) { if (unsaved(it)) save(it); });
    });
  }

  /* ---------- 全部通過, 發佈 ---------- */

  PF.$('#pass-all').addEventListener('click', function () {
    var m = PF.$('#publish-msg'), shown = items.filter(function (it) { return !it.li.hidden; });
    var open = shown.filter(function (it) { return !it.want.result; });
    var chosen = shown.length - open.length;
    if (!open.length) {
      PF.show(m, 'info', shown.length ? '顯示的學習成果都已選擇通過或不通過，沒有變更。' : '沒有顯示的學習成果。');
      return;
    }
    open.forEach(function (it) { it.setPass(); });
    Promise.all(open.map(function (it) { return it.saving || Promise.resolve(); })).then(function () {
      var bad = open.filter(unsaved).length;
      PF.show(m, bad ? 'error' : 'ok', '已將顯示中 ' + (open.length - bad) + ' 筆尚未認證的學習成果設為「通過」（未發佈）。' +
        (chosen ? '另有 ' + chosen + ' 筆您已選擇，沒有變更。' : '') + (bad ? bad + ' 筆沒有儲存，請看各筆的說明。' : ''));
    });
  });

  function post(ids) {
    var published = [], skipped = [], chunks = [];
    for (var i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK));
    return chunks.reduce(function (p, c) {
      return p.then(function () {
        return PF.api('POST', '/certifications/publish', { ids: c }).then(function (r) {
          published = published.concat(r.published);
          skipped = skipped.concat(r.skipped || []);
        });
      });
    }, Promise.resolve()).then(function () { return { published: published, skipped: skipped }; });
  }

  function publish(all) {
    var m = PF.$('#publish-msg');
    PF.hide(m);
    // every choice made is saved first: nothing chosen is left behind
    return Promise.all(items.map(save)).then(function () {
      var left = items.filter(unsaved);
      if (left.length) {
        PF.show(m, 'error', '有 ' + left.length + ' 筆認證結果尚未儲存，這次沒有發佈任何結果。請按各筆的「重試」儲存後再發佈：');
        m.appendChild(h('ul', left.map(function (it) {
          return h('li', label(it) + '：' + word(it.want.result) + (it.failed ? '（' + it.failed.text + '）' : ''));
        })));
        var b = left[0].li.querySelector('button.retry');
        if (b) b.focus();
        return;
      }
      var pick = items.filter(function (it) {
        return it.saved.result && (all || (!it.li.hidden && it.pick.checked));
      });
      if (!pick.length) {
        PF.show(m, 'error', all ? '沒有可以發佈的認證結果：請先選擇「通過」或「不通過」。'
                                : '請先勾選要發佈的認證結果（須已選擇通過或不通過）。');
        return;
      }
      var passed = pick.filter(function (it) { return it.saved.result === 'pass'; }).length;
      var hidden = pick.filter(function (it) { return it.li.hidden; }).length;
      var undecided = items.filter(function (it) { return !it.saved.result; }).length;
      var lines = pick.slice(0, 15).map(function (it) {
        return label(it) + '：' + word(it.saved.result) + (it.saved.note ? '（評語：' + it.saved.note + '）' : '');
      });
      if (pick.length > 15) lines.push('…另 ' + (pick.length - 15) + ' 筆');
      return PF.confirmAction({
        title: all ? '全部發佈認證結果？' : '發佈勾選的認證結果？',
        text: ['將發佈 ' + pick.length + ' 筆認證結果：通過 ' + passed + ' 筆、不通過 ' + (pick.length - passed) + ' 筆。',
               '發佈後學生立即看到結果與評語，不能撤回或修改。'],
        items: lines,
        after: (hidden ? '其中 ' + hidden + ' 筆目前被篩選條件隱藏。' : '') +
               (undecided ? '尚未選擇通過或不通過的 ' + undecided + ' 筆不會發佈。' : '') || null,
        ok: '發佈 ' + pick.length + ' 筆'
      }).then(function (yes) {
        if (!yes) { PF.show(m, 'info', '沒有發佈。'); return; }
        var byId = {};
        items.forEach(function (it) { byId[it.o.id] = it; });
        return post(pick.map(function (it) { return it.o.id; })).then(function (r) {
          var words = { not_found: '找不到', not_reviewer: '不是您的認證項目', not_pending: '已不是待認證', undecided: '尚未認證', window_closed: '不在認證期間' };
          PF.show(m, r.published.length ? 'ok' : 'warn', r.published.length ? '已發佈 ' + r.published.length + ' 筆認證結果，學生已可查看。' : '沒有發佈任何認證結果。');
          if (r.skipped.length) {
            m.appendChild(h('ul', r.skipped.map(function (s) {
              return h('li', '未發佈 ' + (byId[s.id] ? label(byId[s.id]) : s.id) + '：' + (words[s.reason] || s.reason));
            })));
          }
          return Promise.all([load(), refreshTotal()]);
        }, function (err) { PF.showError(m, err); });
      });
    });
  }

  PF.$('#publish-selected').addEventListener('click', function () { publish(false); });
  PF.$('#publish-all').addEventListener('click', function () { publish(true); });

  /* ---------- filters ---------- */

  var sel = PF.$('#term');
  sel.appendChild(h('option', { value: '' }, '全部學期'));
  sel.addEventListener('change', function () { term = sel.value; load().catch(function (e) { PF.showError(PF.$('#page-msg'), e); }); });
  PF.$('#f-class').addEventListener('change', function (e) { filter.cls = e.target.value; applyFilter(); });
  PF.$('#f-subject').addEventListener('change', function (e) { filter.subject = e.target.value; applyFilter(); });
  PF.$('#f-student').value = filter.student;
  PF.$('#f-student').addEventListener('input', function (e) { filter.student = e.target.value; applyFilter(); });

  return Promise.all([refreshTotal(), load()]);
});
