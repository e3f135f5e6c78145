/* The school admin pages' term field: the current term by default, the
   neighbouring terms offered, the choice kept in the address. */
'use strict';
PF.termField = function (input) {
  var cur = PF.currentTerm(), y = Number(cur.split('-')[0]);
  var list = document.getElementById(input.getAttribute('list'));
  [y + 1, y, y - 1, y - 2].forEach(function (yy) {
    ['2', '1'].forEach(function (s) { list.appendChild(PF.h('option', { value: yy + '-' + s }, PF.termLabel(yy + '-' + s))); });
  });
  var want = new URLSearchParams(location.search).get('term');
  input.value = /^\d{2,3}-[12]$/.test(want || '') ? want : cur;
  return input.value;
};
PF.adminTerm = function (form, onChange) {
  var input = form.term;
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var t = input.value.trim();
    if (!/^\d{2,3}-[12]$/.test(t)) {
      PF.show(PF.$('#page-msg'), 'error', '學期格式不正確，請輸入例如 115-1。');
      input.focus();
      return;
    }
    PF.hide(PF.$('#page-msg'));
    history.replaceState(null, '', '?term=' + t);
    onChange(t);
  });
  return PF.termField(input);
};
