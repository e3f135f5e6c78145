/* Course learning outcome upload (P4): a draft, then the file as the raw
   body with a progress bar; 送出認證 after saying what it means; refusals
   in words.
   What the student typed is kept in this browser (PF.drafts, by student
   and term) until the server has all of it: a session that ends in the
   middle of an upload loses nothing. After signing in again the course,
   the description and the chosen files' names are back (a File cannot be
   kept: the page asks for it again by name), and a file the server stored
   before the session ended is reported as arrived, not asked for again. */
'use strict';
PF.start({ need: PF.isStudent }, function (me) {
  var h = PF.h, records, term, list = PF.$('#list');
  var form = PF.$('#new-outcome'), msg = PF.$('#upload-msg');
  var LIMITS = { document: 4 * 1048576, media: 10 * 1048576 };
  var EXT = { document: ['pdf', 'jpg', 'jpeg', 'png'], media: ['mp3', 'mp4'] };
  var KINDS = ['document', 'media'];
  var WHAT = { document: '文件', media: '影音檔案' };
  var LOST = ['unauthenticated', 'session_expired', 'password_change_required', 'network'];
  var outcomes = [];     // the term's, as last loaded
  /* the kept draft: {code, description, document, media (names of chosen
     files the server does not have yet), arrived {document, media} (names
     it has), outcome (its id once made), posting, started} */
  var draft = null;

  function chars(s) { return Array.from(s).length; }
  function ext(name) { var m = /\.([^.]+)$/.exec(name || ''); return m ? m[1].toLowerCase() : ''; }

  /* refusals the page can tell before sending: same words as the API's */
  function precheck(kind, file) {
    if (EXT[kind].indexOf(ext(file.name)) < 0) {
      return new PF.ApiError(415, 'unsupported_file_type', file.name + ': ' + (kind === 'document' ? 'pdf jpg png only' : 'mp3 mp4 only'));
    }
    if (file.size > LIMITS[kind]) {
      return new PF.ApiError(413, 'file_too_large', file.name + ': ' + PF.fmtBytes(file.size));
    }
    if (!file.size) return new PF.ApiError(400, 'empty_file', file.name);
    return null;
  }

  var desc = PF.$('#description');
  function countChars() { PF.$('#description-count').textContent = chars(desc.value) + ' / 100 字'; }

  /* ---------- the kept draft ---------- */

  function find(id) { return outcomes.filter(function (o) { return o.id === id; })[0] || null; }
  function chosen(kind) { return form[kind].files && form[kind].files[0]; }

  function save() {
    if (draft) PF.drafts.put(me.user.id, term, draft);
    showKept();
  }
  function drop() {
    draft = null;
    PF.drafts.drop(me.user.id, term);
    restoreForm();
    PF.hide(PF.$('#draft-msg'));
    showKept();
  }

  /* what the form holds now, kept at every keystroke and choice */
  function keep() {
    var d = draft || { arrived: {}, outcome: null, started: Date.now() };
    if (!form.course.disabled) d.code = form.course.value;
    d.description = desc.value;
    KINDS.forEach(function (k) { if (chosen(k)) d[k] = chosen(k).name; });
    if (!d.outcome && !d.description.trim() && !d.document && !d.media) { drop(); return; }
    draft = d;
    save();
  }

  /* a new outcome again: the course can be chosen */
  function restoreForm() {
    form.course.disabled = false;
    PF.$('#upload-button').textContent = '上傳';
  }

  /* beside each file field: arrived, or to be chosen again by name */
  function showKept() {
    KINDS.forEach(function (k) {
      var el = PF.clear(PF.$('#' + k + '-kept'));
      el.className = 'kept';
      if (!draft) return;
      if (draft[k] && !chosen(k)) {
        el.classList.add('again');
        el.appendChild(document.createTextNode('請重新選擇檔案：' + draft[k]));
        el.appendChild(h('button.secondary', { type: 'button', 'class': 'secondary not-this', on: { click: function () {
          draft[k] = null; keep();
        } } }, '不上傳這個檔案'));
      } else if (draft.arrived && draft.arrived[k] && !draft[k]) {
        el.classList.add('arrived');
        el.textContent = '已上傳：' + draft.arrived[k] + '（伺服器已收到，不必再選）';
      }
    });
    PF.$('#draft-discard').hidden = !draft;
  }

  /* The draft kept for this term, set against what the server has. */
  function restore() {
    var d = PF.drafts.get(me.user.id, term), o = null, lines = [];
    draft = null;
    if (!d) { showKept(); return; }
    d.arrived = d.arrived || {};
    if (d.outcome) {
      o = find(d.outcome);
    } else if (d.posting) {
      // made, but its answer never came back: the same course and words
      o = outcomes.filter(function (x) {
        return x.status === 'draft' && x.code === d.code && x.description === (d.description || '').trim() &&
          x.created >= (d.started || 0) - 60000 && !x.document && !x.media;
      })[0] || null;
    }
    if (o && o.status !== 'draft') { draft = d; drop(); return; }   // sent since: nothing left to keep
    d.outcome = o ? o.id : null;
    d.posting = false;
    d.arrived = {};
    KINDS.forEach(function (k) {
      if (o && o[k]) {
        // the server stored it for this draft: arrived, not asked for again
        d.arrived[k] = o[k].name || d[k] || WHAT[k];
        if (!d[k] || d[k] === o[k].name || d[k] === d.arrived[k]) d[k] = null;
      }
    });
    draft = d;
    var codes = Array.from(form.course.options).map(function (x) { return x.value; });
    if (d.code && codes.indexOf(d.code) >= 0) form.course.value = d.code;
    form.course.disabled = !!o;
    desc.value = d.description || '';
    countChars();
    lines.push('已還原您尚未完成的上傳（' + PF.fmtTime(d.started) + ' 開始）：科目、內容簡述' +
               (d.document || d.media ? '與選擇的檔名' : '') + '都保留在下方。');
    if (o) lines.push('這份學習成果的草稿已建立，按「繼續上傳」只上傳還沒送達的檔案。');
    KINDS.forEach(function (k) {
      if (d.arrived[k] && !d[k]) lines.push(WHAT[k] + '「' + d.arrived[k] + '」已上傳完成，不必再選。');
      if (d[k]) lines.push('請重新選擇' + WHAT[k] + '：' + d[k] + '（瀏覽器只能記住檔名，無法保留檔案本身）。');
    });
    var box = PF.show(PF.$('#draft-msg'), 'warn', lines[0]);
    lines.slice(1).forEach(function (l) { box.appendChild(h('p', l)); });
    PF.$('#upload-button').textContent = o ? '繼續上傳' : '上傳';
    save();
  }

  desc.addEventListener('input', function () { countChars(); keep(); });
  form.course.addEventListener('change', keep);
  KINDS.forEach(function (k) { form[k].addEventListener('change', keep); });
  PF.$('#draft-discard').addEventListener('click', function () {
    var made = draft && find(draft.outcome);
    drop();
    form.reset();
    countChars();
    PF.show(msg, 'info', '已清除保留的內容。' + (made ? '已建立的草稿仍在下方清單中，可以更換檔案、送出認證或刪除。' : ''));
  });

  /* ---------- the page ---------- */

  function progress(label, loaded, total) {
    var pct = total ? Math.round(loaded / total * 100) : 0;
    PF.$('#progress-field').hidden = false;
    PF.$('#progress-label').textContent = label;
    PF.$('#progress').value = pct;
    PF.$('#progress-text').textContent = pct + '%';
  }

  function fillCourses() {
    var sel = PF.clear(PF.$('#course'));
    var courses = ((records.terms || []).filter(function (t) { return t.term === term; })[0] || {}).courses || [];
    sel.appendChild(h('option', { value: '' }, '請選擇科目'));
    courses.forEach(function (c) {
      var credit = c.credits > 0;
      sel.appendChild(h('option', { value: c.code, disabled: !credit },
        c.name + '（' + (credit ? c.credits + ' 學分，' + (c.teacher_name || c.teacher || '') : '無學分，不能認證') + '）'));
    });
  }

  function fileFacts(label, f, id, kind) {
    if (!f) return [];
    return [h('dt', label), h('dd', h('a', { href: 'api/outcomes/' + encodeURIComponent(id) + '/' + kind, target: '_blank', rel: 'noopener' },
      f.name || kind), '（' + PF.fmtBytes(f.size) + '）')];
  }

  function item(o) {
    var box = h('div.msg'), actions = h('div.row');
    var li = h('li.item', { id: 'outcome-' + o.id, 'data-status': o.status },
      h('h3', o.course_name + '（' + o.code + '）', PF.statusBadge(o.status)),
      h('dl.facts.wide',
        h('dt', '科目'), h('dd', o.subject || '—'),
        h('dt', '修課類別'), h('dd', PF.KIND[o.kind] || o.kind || '一般'),
        h('dt', '內容簡述'), h('dd', o.description),
        h('dt', '上傳時間'), h('dd', PF.fmtTime(o.created)),
        fileFacts('成果檔案', o.document, o.id, 'document'),
        fileFacts('影音檔案', o.media, o.id, 'media'),
        o.submitted_at ? [h('dt', '送出日期'), h('dd', PF.fmtTime(o.submitted_at))] : []),
      box, actions);
    if (o.status === 'draft') {
      if (!o.document && !o.media) PF.show(box, 'warn', '尚未上傳檔案：請上傳文件或影音檔案後再送出認證。');
      var fileId = 'replace-' + o.id;
      var input = h('input', { type: 'file', id: fileId, accept: '.pdf,.jpg,.jpeg,.png,.mp3,.mp4' });
      var prog = h('progress', { max: '100', value: '0', hidden: true, 'aria-label': '上傳進度' });
      actions.appendChild(h('button', { type: 'button', 'class': 'submit-cert', on: { click: function (e) { submit(o, e.target, box); } } }, '送出認證'));
      actions.appendChild(h('button.danger', { type: 'button', on: { click: function () { remove(o, box); } } }, '刪除'));
      li.appendChild(h('div.field', { style: 'margin-top:.75rem' },
        h('label', { 'for': fileId }, (o.document || o.media) ? '更換檔案' : '上傳檔案',
          h('span.hint', 'pdf、jpg、png（4 MB 以下）或 mp3、mp4（10 MB 以下）')),
        h('div.row', input, h('button.secondary', { type: 'button', on: { click: function () { replace(o, input, prog, box); } } }, '上傳這個檔案')),
        prog));
    } else if (o.status === 'pending') {
      actions.appendChild(h('p', { role: 'status' }, '已送出認證，等待授課教師認證。'));
    } else {
      actions.appendChild(h('a', { href: 'results.html?term=' + o.term }, '查看認證結果'));
    }
    return li;
  }

  function load(focusId) {
    return PF.api('GET', '/outcomes?term=' + encodeURIComponent(term)).then(function (r) {
      var info = PF.$('#term-info');
      outcomes = r.outcomes;
      PF.show(info, 'info', '本學期已上傳 ' + r.term_count + ' 件，每學期至多 ' + r.term_limit + ' 件 (' + r.term_count + '/' + r.term_limit +
        ')，單科至多 ' + r.subject_limit + ' 件。上傳期間：' + (r.upload_open ? '開放中，至 ' + PF.fmtTime(r.upload_until) + ' 止' : '目前未開放') + '。');
      PF.$('#upload-button').disabled = !r.upload_open;
      if (!r.upload_open) PF.show(msg, 'warn', '現在不在上傳學習成果的作業期間內。');
      PF.clear(list);
      if (!r.outcomes.length) list.appendChild(h('li.lead', '本學期尚未上傳學習成果。'));
      r.outcomes.slice().sort(function (a, b) { return b.created - a.created; })
        .forEach(function (o) { list.appendChild(item(o)); });
      if (focusId) {
        var b = PF.$('#outcome-' + focusId + ' button');
        if (b) b.focus();
      }
    }, function (err) { PF.showError(PF.$('#list-msg'), err); });
  }

  function kindOf(file) { return EXT.media.indexOf(ext(file.name)) >= 0 ? 'media' : 'document'; }

  function send(id, kind, file, onProgress) {
    var bad = precheck(kind, file);
    if (bad) return Promise.reject(bad);
    return PF.putFile('/outcomes/' + encodeURIComponent(id) + '/' + kind + '?name=' + encodeURIComponent(file.name),
                      file, onProgress);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    keep();
    var resume = draft && draft.outcome ? find(draft.outcome) : null;
    var code = resume ? resume.code : form.course.value, text = desc.value.trim();
    var doc = chosen('document'), media = chosen('media');
    var again = KINDS.filter(function (k) { return draft && draft[k] && !chosen(k); });
    var has = resume && (resume.document || resume.media);
    var problem = !code ? ['請選擇科目。', form.course]
      : !text ? ['請填寫內容簡述。', desc]
      : chars(text) > 100 ? ['內容簡述最多 100 個字。', desc]
      : again.length ? ['請重新選擇' + WHAT[again[0]] + '：' + draft[again[0]] + '（或按「不上傳這個檔案」）。', form[again[0]]]
      : !doc && !media && !has ? ['請選擇要上傳的文件或影音檔案。', form.document] : null;
    if (problem) { PF.show(msg, 'error', problem[0]); problem[1].focus(); return; }
    var bad = (doc && precheck('document', doc)) || (media && precheck('media', media));
    if (bad) { PF.showError(msg, bad, '上傳'); (doc && precheck('document', doc) ? form.document : form.media).focus(); return; }

    // the files to send: the chosen ones the server does not have yet
    var files = KINDS.filter(function (k) { return chosen(k) && draft[k]; });
    var button = PF.$('#upload-button'), id = resume ? resume.id : null, made = false;
    button.disabled = true;
    var first;
    if (resume) {
      first = text !== resume.description
        ? PF.api('PATCH', '/outcomes/' + encodeURIComponent(id), { description: text }) : Promise.resolve();
    } else {
      PF.show(msg, 'info', '建立學習成果…');
      draft.posting = true;
      save();
      first = PF.api('POST', '/outcomes', { term: term, code: code, description: text }).then(function (r) {
        id = r.outcome.id;
        made = true;
        draft.outcome = id;
        draft.posting = false;
        save();
      });
    }
    first.then(function () {
      var steps = Promise.resolve();
      files.forEach(function (k) {
        var f = chosen(k);
        steps = steps.then(function () {
          PF.show(msg, 'info', '上傳' + WHAT[k] + '中…');
          return send(id, k, f, function (l, t) { progress('上傳' + WHAT[k] + '：' + f.name, l, t); });
        }).then(function () {
          draft.arrived[k] = f.name;
          draft[k] = null;
          save();
        });
      });
      return steps;
    }).then(function () {
      drop();
      PF.show(msg, 'ok', '已上傳。請在下方確認內容後按「送出認證」，送出後才算完成。');
      form.reset();
      countChars();
      progress('上傳完成', 1, 1);
      return load(id);
    }, function (err) {
      PF.$('#progress-field').hidden = true;
      if (LOST.indexOf(err.code) >= 0) {
        // nothing is removed: what was typed and what arrived are kept
        save();
        var w = PF.showError(msg, err, '上傳');
        msg.insertBefore(h('p', '您輸入的內容與選擇的檔名都已保留' + (err.code === 'network' ? '，連線恢復後再按「繼續上傳」。' : '，重新登入後會回到這裡。')),
                         msg.querySelector('.detail'));
        msg.setAttribute('data-code', w.code || '');
        if (err.code === 'unauthenticated' || err.code === 'session_expired') PF.goSignIn(err.code);
        else if (draft.outcome) { form.course.disabled = true; button.textContent = '繼續上傳'; }
        return load();
      }
      var cleanup = Promise.resolve();
      if (made) {
        // the draft made for this upload is removed so it does not count
        cleanup = PF.api('DELETE', '/outcomes/' + encodeURIComponent(id)).then(function () {
          err.draftRemoved = true;
          draft.outcome = null;
          draft.arrived = {};
          save();
        }, function () {});
      }
      return cleanup.then(function () {
        var w = PF.showError(msg, err, '上傳');
        if (err.draftRemoved) msg.insertBefore(h('p', '這次的學習成果沒有建立，請換一個檔案再上傳。'), msg.querySelector('.detail'));
        msg.setAttribute('data-code', w.code || '');
        return load();
      });
    }).then(function () { button.disabled = false; });
  });

  function submit(o, button, box) {
    var files = KINDS.filter(function (k) { return o[k]; }).map(function (k) { return WHAT[k] + '：' + (o[k].name || k); });
    PF.confirmAction({
      title: '送出認證？',
      text: ['將「' + o.course_name + '：' + o.description + '」送給授課教師認證。',
             '送出後就不能再修改內容、更換檔案或刪除這份學習成果。'],
      items: files,
      ok: '送出認證'
    }).then(function (yes) {
      if (!yes) { button.focus(); return; }
      button.disabled = true;
      PF.api('POST', '/outcomes/' + encodeURIComponent(o.id) + '/submit', {}).then(function () {
        if (draft && draft.outcome === o.id) drop();
        PF.hide(msg);
        PF.$('#progress-field').hidden = true;
        return load().then(function () {
          var li = PF.$('#outcome-' + o.id);
          if (li) { li.setAttribute('tabindex', '-1'); li.focus(); }
        });
      }, function (err) { PF.showError(box, err, '上傳'); button.disabled = false; });
    });
  }

  function remove(o, box) {
    PF.confirmAction({
      title: '刪除這份學習成果？',
      text: ['將刪除「' + o.course_name + '：' + o.description + '」與它的檔案，刪除後無法復原。'],
      ok: '刪除', danger: true
    }).then(function (yes) {
      if (!yes) return;
      PF.api('DELETE', '/outcomes/' + encodeURIComponent(o.id)).then(function () {
        if (draft && draft.outcome === o.id) { draft.outcome = null; draft.arrived = {}; restoreForm(); save(); }
        PF.show(PF.$('#list-msg'), 'ok', '已刪除。');
        return load();
      }, function (err) { PF.showError(box, err); });
    });
  }

  function replace(o, input, prog, box) {
    var f = input.files[0];
    if (!f) { PF.show(box, 'error', '請先選擇檔案。'); input.focus(); return; }
    prog.hidden = false;
    send(o.id, kindOf(f), f, function (l, t) { prog.value = t ? Math.round(l / t * 100) : 0; }).then(function () {
      return load(o.id);
    }, function (err) { prog.hidden = true; PF.showError(box, err, '上傳'); });
  }

  /* the term stays in the address, so signing in again comes back to it */
  function pinTerm() {
    var q = new URLSearchParams(location.search);
    if (q.get('term') !== term) { q.set('term', term); history.replaceState(null, '', '?' + q.toString()); }
  }

  return PF.studentTerms(me).then(function (r) {
    records = r.records;
    term = PF.termPicker(PF.$('#term'), r.terms, function (t) {
      term = t;
      PF.hide(msg);
      PF.hide(PF.$('#draft-msg'));
      form.reset();
      restoreForm();
      countChars();
      fillCourses();
      load().then(restore);
    });
    pinTerm();
    fillCourses();
    return load().then(restore);
  });
});
