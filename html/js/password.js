/* Password change; the first sign-in must come here (A1) */
'use strict';
PF.start({}, function (me) {
  var form = PF.$('#change'), msg = PF.$('#page-msg');
  if (me.must_change_password) {
    PF.show(msg, 'warn', '第一次登入，請先變更初始密碼，才能使用系統的其他功能。');
  }
  form.current.focus();
  if (!me.must_change_password) directory(me);
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var cur = form.current.value, nw = form['new'].value, again = form.again.value;
    var problem = !cur ? ['請輸入目前的密碼。', form.current]
      : nw.length < 8 ? ['新密碼至少要 8 個字元。', form['new']]
      : nw === cur ? ['新密碼不可與目前的密碼相同。', form['new']]
      : nw.toLowerCase().indexOf(me.user.id.toLowerCase()) >= 0 ? ['新密碼不可包含帳號。', form['new']]
      : nw !== again ? ['兩次輸入的新密碼不一樣。', form.again] : null;
    if (problem) {
      PF.show(msg, 'error', problem[0]);
      problem[1].focus();
      return;
    }
    var button = PF.$('#change-button');
    button.disabled = true;
    PF.api('POST', '/password', { current: cur, 'new': nw }, { noRedirect: true }).then(function () {
      PF.show(msg, 'ok', '密碼已變更。');
      form.reset();
      setTimeout(function () { location.href = PF.home(me.user); }, me.must_change_password ? 600 : 1500);
    }, function (err) {
      PF.showError(msg, err);
      button.disabled = false;
      (err.code === 'wrong_password' ? form.current : form['new']).focus();
    });
  });
});

/* Binding the account to the city directory (A2): GET/POST/DELETE /me/directory */
function directory(me) {
  var box = PF.$('#directory'), msg = PF.$('#directory-msg'), state = PF.$('#directory-state');
  var bind = PF.$('#bind'), unbind = PF.$('#unbind-button');
  var METHOD = { local: '本系統密碼', directory: '單一身分驗證' };
  function draw(d) {
    box.hidden = false;
    if (!d.configured && !d.directory) {
      state.textContent = '本系統尚未設定臺北市單一身分驗證服務，請用本系統的帳號密碼登入。';
      bind.hidden = true; unbind.hidden = true;
      return;
    }
    var ways = (d.methods || []).map(function (m) { return METHOD[m] || m; }).join('、');
    state.textContent = (d.directory ? '已綁定單一身分驗證帳號：' + d.directory + '。' : '尚未綁定單一身分驗證帳號。') +
      (ways ? '可用的登入方式：' + ways + '。' : '');
    bind.hidden = false;
    PF.$('#bind-button').textContent = d.directory ? '改綁其他帳號' : '綁定';
    unbind.hidden = !d.directory;
  }
  PF.api('GET', '/me/directory', undefined, { noRedirect: true }).then(draw, function (err) {
    if (PF.noRoute(err)) return;   // no directory support in this server
    box.hidden = false;
    PF.showError(msg, err);
  });
  bind.addEventListener('submit', function (e) {
    e.preventDefault();
    var u = bind.username.value.trim(), p = bind.password.value;
    if (!u || !p) { PF.show(msg, 'error', !u ? '請輸入單一身分驗證帳號。' : '請輸入單一身分驗證密碼。'); (!u ? bind.username : bind.password).focus(); return; }
    PF.$('#bind-button').disabled = true;
    PF.api('POST', '/me/directory', { username: u, password: p }, { noRedirect: true }).then(function (r) {
      PF.show(msg, 'ok', '已綁定單一身分驗證帳號 ' + r.directory + '。');
      bind.reset();
      return PF.api('GET', '/me/directory', undefined, { noRedirect: true }).then(draw);
    }, function (err) {
      PF.showError(msg, err);
      if (err.code === 'conflict') msg.insertBefore(PF.h('p', '這個單一身分驗證帳號已綁定其他帳號。'), msg.querySelector('.detail'));
    }).then(function () { PF.$('#bind-button').disabled = false; });
  });
  unbind.addEventListener('click', function () {
    PF.confirmAction({
      title: '解除單一身分驗證的綁定？',
      text: '解除後就不能再用單一身分驗證帳號登入，要再綁定才能使用。',
      ok: '解除綁定', danger: true
    }).then(function (yes) {
      if (!yes) return;
      return PF.api('DELETE', '/me/directory', undefined, { noRedirect: true }).then(function () {
        PF.show(msg, 'ok', '已解除綁定。');
        return PF.api('GET', '/me/directory', undefined, { noRedirect: true }).then(draw);
      }, function (err) { PF.showError(msg, err); });
    });
  });
}
