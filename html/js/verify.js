/* File verification (AD4): every stored file against its checksum.
   Files are stored once per content (SHA-256), so the count is of
   distinct files, not of uploads: the page says so. */
'use strict';
PF.start({ need: PF.isAdmin }, function (me) {
  var h = PF.h, button = PF.$('#verify-button');
  var PROBLEM = { missing: '檔案遺失', changed: '內容已被變更', unreadable: '無法讀取' };
  button.addEventListener('click', function () {
    var m = PF.$('#verify-msg'), out = PF.clear(PF.$('#problems'));
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    PF.show(m, 'info', '驗證中，請稍候…');
    PF.api('POST', '/schools/' + encodeURIComponent(me.user.school) + '/files/verify', {}).then(function (r) {
      if (!r.problems.length) {
        PF.show(m, 'ok', '已檢查 ' + r.checked + ' 個檔案，全部正常（' + r.ok + ' 個）。');
        m.appendChild(h('p', '相同內容的檔案只存一份，所以檔案數可能少於上傳次數。'));
        return;
      }
      PF.show(m, 'error', '已檢查 ' + r.checked + ' 個檔案：' + r.ok + ' 個正常，' + r.problems.length + ' 個有問題。請從備份還原這些檔案。');
      out.appendChild(h('table#problems-table', h('caption', '有問題的檔案'),
        h('thead', h('tr', h('th', { scope: 'col' }, 'SHA-256'), h('th', { scope: 'col' }, '問題'))),
        h('tbody', r.problems.map(function (p) {
          return h('tr', h('td', { style: 'font-family:monospace;overflow-wrap:anywhere' }, p.sha256), h('td', PROBLEM[p.problem] || p.problem));
        }))));
    }, function (err) { PF.showError(m, err); }).then(function () {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    });
  });
});
