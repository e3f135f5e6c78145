/* Sign-in (A1; the directory sign-in goes to the same endpoint, A2) */
'use strict';
(function () {
  var form = PF.$('#signin'), msg = PF.$('#page-msg');
  var q = new URLSearchParams(location.search);
  var next = PF.safeNext(q.get('next'));

  if (q.get('bye')) PF.show(msg, 'ok', '您已登出。');
  else if (q.get('why') === 'session_expired') PF.show(msg, 'warn', '登入已逾時，請重新登入。');
  else if (next) PF.show(msg, 'info', '請先登入。');

  // already signed in: straight to the user's page
  PF.api('GET', '/me', undefined, { noRedirect: true }).then(function (me) {
    location.replace(me.must_change_password ? 'password.html' : (next || PF.home(me.user)));
  }, function () { PF.$('#username').focus(); });

  function methodHints() {
    var dir = form.method.value === 'directory';
    PF.$('#username-hint').textContent = dir
      ? '請輸入臺北市單一身分驗證服務（LDAP）的帳號。'
      : '學生：學校網域 + 學號（例如 zlsh108234567）；教師：學校網域 + 身分證字號數字 9 碼。';
    PF.$('#password-hint').textContent = dir
      ? '請輸入單一身分驗證服務的密碼。'
      : '第一次登入：密碼為身分證字號後六碼，登入後請依提示更換密碼。';
  }
  Array.prototype.forEach.call(form.method, function (r) { r.addEventListener('change', methodHints); });

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
