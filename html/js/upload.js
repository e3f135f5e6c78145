/* Course learning outcome upload (P4): a draft, then the file as the raw
   body with a progress bar; 送出認證; refusals in words. */
'use strict';
PF.start({ need: PF.isStudent }, function (me) {
  var h = PF.h, records, term, list = PF.$('#list');
  var form = PF.$('#new-outcome'), msg = PF.$('#upload-msg');
  var LIMITS = { document: 4 * 1048576, media: 10 * 1048576 };
  var EXT = { document: ['pdf', 'jpg', 'jpeg', 'png'], media: ['mp3', 'mp4'] };

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
  desc.addEventListener('input', function () {
    PF.$('#description-count').textContent = chars(desc.value) + ' / 100 字';
  });

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
    var code = form.course.value, text = desc.value.trim();
    var doc = form.document.files[0], media = form.media.files[0];
    var problem = !code ? ['請選擇科目。', form.course]
      : !text ? ['請填寫內容簡述。', desc]
      : chars(text) > 100 ? ['內容簡述最多 100 個字。', desc]
      : !doc && !media ? ['請選擇要上傳的文件或影音檔案。', form.document] : null;
    if (problem) { PF.show(msg, 'error', problem[0]); problem[1].focus(); return; }
    var bad = (doc && precheck('document', doc)) || (media && precheck('media', media));
    if (bad) { PF.showError(msg, bad, '上傳'); (doc && precheck('document', doc) ? form.document : form.media).focus(); return; }

    var button = PF.$('#upload-button'), id;
    button.disabled = true;
    PF.show(msg, 'info', '建立學習成果…');
    PF.api('POST', '/outcomes', { term: term, code: code, description: text }).then(function (r) {
      id = r.outcome.id;
      var steps = Promise.resolve();
      if (doc) steps = steps.then(function () {
        PF.show(msg, 'info', '上傳文件中…');
        return send(id, 'document', doc, function (l, t) { progress('上傳文件：' + doc.name, l, t); });
      });
      if (media) steps = steps.then(function () {
        PF.show(msg, 'info', '上傳影音檔案中…');
        return send(id, 'media', media, function (l, t) { progress('上傳影音：' + media.name, l, t); });
      });
      return steps.catch(function (err) {
        // the draft made for this upload is removed so it does not count
        return PF.api('DELETE', '/outcomes/' + encodeURIComponent(id)).catch(function () {})
          .then(function () { err.draftRemoved = true; throw err; });
      });
    }).then(function () {
      PF.show(msg, 'ok', '已上傳。請在下方確認內容後按「送出認證」，送出後才算完成。');
      form.reset();
      PF.$('#description-count').textContent = '0 / 100 字';
      progress('上傳完成', 1, 1);
      return load(id);
    }, function (err) {
      var w = PF.showError(msg, err, '上傳');
      if (err.draftRemoved) msg.insertBefore(h('p', '這次的學習成果沒有建立，請換一個檔案再上傳。'), msg.querySelector('.detail'));
      PF.$('#progress-field').hidden = true;
      msg.setAttribute('data-code', w.code || '');
      return load();
    }).then(function () { button.disabled = false; });
  });

  function submit(o, button, box) {
    button.disabled = true;
    PF.api('POST', '/outcomes/' + encodeURIComponent(o.id) + '/submit', {}).then(function () {
      PF.hide(msg);
      PF.$('#progress-field').hidden = true;
      return load().then(function () {
        var li = PF.$('#outcome-' + o.id);
        if (li) { li.setAttribute('tabindex', '-1'); li.focus(); }
      });
    }, function (err) { PF.showError(box, err, '上傳'); button.disabled = false; });
  }

  function remove(o, box) {
    if (!PF.confirmBox('確定要刪除「' + o.course_name + '：' + o.description + '」嗎？')) return;
    PF.api('DELETE', '/outcomes/' + encodeURIComponent(o.id)).then(function () {
      PF.show(PF.$('#list-msg'), 'ok', '已刪除。');
      return load();
    }, function (err) { PF.showError(box, err); });
  }

  function replace(o, input, prog, box) {
    var f = input.files[0];
    if (!f) { PF.show(box, 'error', '請先選擇檔案。'); input.focus(); return; }
    prog.hidden = false;
    send(o.id, kindOf(f), f, function (l, t) { prog.value = t ? Math.round(l / t * 100) : 0; }).then(function () {
      return load(o.id);
    }, function (err) { prog.hidden = true; PF.showError(box, err, '上傳'); });
  }

  return PF.studentTerms(me).then(function (r) {
    records = r.records;
    term = PF.termPicker(PF.$('#term'), r.terms, function (t) { term = t; PF.hide(msg); fillCourses(); load(); });
    fillCourses();
    return load();
  });
});
