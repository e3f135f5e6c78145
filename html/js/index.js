/* Sign-in (A1; the directory sign-in goes to the same endpoint, A2; a
   temporary account, A3, too). The directory is offered only when the
   server has one configured (GET /api/health "directory":{"configured"});
   temporary accounts have their own entrance that says what to type and
   what happens at the first sign-in. */
'use strict';
(function () {
  var form = PF.$('#signin'), msg = PF.$('#page-msg');
  var q = new URLSearchParams(location.search);
  var next = PF.safeNext(q.get('next'));
  var temporary = false;

  var HINTS = {
    local: ['學生：學校網域 + 學號（例如 zlsh108234567）；教師：學校網域 + 身分證字號數字 9 碼。',
            '第一次登入：密碼為身分證字號後六碼，登入後請依提示更換密碼。'],
    directory: ['請輸入臺北市單一身分驗證服務（LDAP）的帳號。', '請輸入單一身分驗證服務的密碼。'],
    temporary: ['學校核發的臨時帳號：學校網域 + tmp + 三位數字（例如 zlshtmp001）。',
                '學校給您的初始密碼（例如 abcd-efgh-jkmn，只給一次）。第一次登入後會請您設定自己的新密碼；帳號到期後就不能登入。']
  };

  if (q.get('bye')) PF.show(msg, 'ok', '您已登出。');
  else if (q.get('why') === 'session_expired') PF.show(msg, 'warn', '登入已逾時，請重新登入。');
  else if (next) PF.show(msg, 'info', '請先登入。');

  // already signed in: straight to the user's page
  PF.api('GET', '/me', undefined, { noRedirect: true }).then(function (me) {
    location.replace(me.must_change_password ? 'password.html' : (next || PF.home(me.user)));
  }, function () { PF.$('#username').focus(); });

  // the directory, only when this server has one
  PF.api('GET', '/health', undefined, { noRedirect: true }).then(function (r) {
    PF.$('#methods').hidden = !(r.directory && r.directory.configured) || temporary;
    PF.$('#methods').dataset.offered = r.directory && r.directory.configured ? '1' : '';
  }, function () { /* not known: the local sign-in alone */ });

  function mode() { return temporary ? 'temporary' : (form.method.value === 'directory' ? 'directory' : 'local'); }
  function hints() {
    var t = HINTS[mode()];
    PF.$('#username-hint').textContent = t[0];
    PF.$('#password-hint').textContent = t[1];
  }
  Array.prototype.forEach.call(form.method, function (r) { r.addEventListener('change', hints); });

  function setTemporary(on) {
    temporary = on;
    if (on) form.method.value = 'local';
    PF.$('#temporary-mode').hidden = !on;
    PF.$('#temporary').hidden = on;
    PF.$('#methods').hidden = on || !PF.$('#methods').dataset.offered;
    PF.$('#signin-button').textContent = on ? '以臨時帳號登入' : '登入';
    hints();
    var u = new URLSearchParams(location.search);
    if (on) u.set('mode', 'temporary'); else u.delete('mode');
    history.replaceState(null, '', u.toString() ? '?' + u.toString() : location.pathname);
  }
  PF.$('#temporary-entrance').addEventListener('click', function () { setTemporary(true); PF.$('#username').focus(); });
  PF.$('#temporary-back').addEventListener('click', function () { setTemporary(false); PF.$('#username').focus(); });
  if (q.get('mode') === 'temporary') setTemporary(true);

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var user = form.username.value.trim(), pw = form.password.value;
    if (!user || !pw) {
      PF.show(msg, 'error', !user ? '請輸入帳號。' : '請輸入密碼。');
      (!user ? form.username : form.password).focus();
      return;
    }
    var button = PF.$('#signin-button');
    button.disabled = true;
    PF.show(msg, 'info', '登入中…');
    PF.api('POST', '/session', { username: user, password: pw }, { noRedirect: true }).then(function (r) {
      location.href = r.must_change_password ? 'password.html' : (next || PF.home(r.user));
    }, function (err) {
      PF.showError(msg, err);
      button.disabled = false;
      form.password.value = '';
      form.password.focus();
    });
  });
})();
