/* Course records (P2) and basic data (P1): resume, attendance,
   rewards and punishments, cadre posts, all read-only. */
'use strict';
PF.start({ need: PF.isStudent }, function (me) {
  var h = PF.h, sid = encodeURIComponent(me.user.id), records, basic;
  var REWARDS = [['commendation', '嘉獎'], ['minor_merit', '小功'], ['major_merit', '大功'],
                 ['warning', '警告'], ['minor_demerit', '小過'], ['major_demerit', '大過']];
  var ATTENDANCE = [['late', '遲到'], ['absent', '曠課'], ['sick', '病假'],
                    ['official', '公假'], ['personal', '事假'], ['bereavement', '喪假']];

  function counts(caption, names, values) {
    if (!values) return h('p.lead', '本學期尚無資料。');
    return h('table.counts', h('caption.visually-hidden', caption),
      h('thead', h('tr', names.map(function (n) { return h('th', { scope: 'col' }, n[1]); }))),
      h('tbody', h('tr', names.map(function (n) { return h('td', String(values[n[0]] || 0)); }))));
  }
  /* the first column names the row; on a phone each row becomes a card */
  function table(caption, cols, rows) {
    return h('table.stack-sm', h('caption.visually-hidden', caption),
      h('thead', h('tr', cols.map(function (c) { return h('th', { scope: 'col' }, c); }))),
      h('tbody', rows.map(function (r) {
        return h('tr', r.map(function (v, i) {
          return i ? h('td', { 'data-label': cols[i] }, v) : h('th', { scope: 'row' }, v);
        }));
      })));
  }

  function draw(term) {
    var courses = ((records.terms || []).filter(function (t) { return t.term === term; })[0] || {}).courses || [];
    var b = (basic.terms || []).filter(function (t) { return t.term === term; })[0] || {};
    var c = PF.clear(PF.$('#courses'));
    if (!courses.length) c.appendChild(h('p.lead', '本學期尚無修課紀錄。'));
    else c.appendChild(table(PF.termLabel(term) + '修課紀錄',
      ['課程名稱', '課程代碼', '科目', '學分', '成績', '修課類別', '授課教師'],
      courses.map(function (x) {
        var teachers = [x.teacher_name || x.teacher].concat((x.co_teachers || []).map(function (t) { return t.name || t.id; }));
        return [x.name, x.code, x.subject, String(x.credits),
                x.grade === null || x.grade === undefined ? '尚未登錄' : String(x.grade),
                PF.KIND[x.kind] || x.kind || '一般', teachers.filter(Boolean).join('、')];
      })));
    PF.append(PF.clear(PF.$('#attendance')), [counts('出缺勤', ATTENDANCE, b.attendance)]);
    PF.append(PF.clear(PF.$('#rewards')), [counts('獎懲', REWARDS, b.rewards)]);
    var cadres = b.cadres || [];
    PF.append(PF.clear(PF.$('#cadres')), [cadres.length
      ? table('幹部經歷', ['單位', '職稱', '開始', '結束', '幹部等級'],
              cadres.map(function (x) { return [x.unit, x.post, x.start, x.end, x.level || '']; }))
      : h('p.lead', '本學期尚無幹部經歷。')]);
  }

  return Promise.all([PF.studentTerms(me), PF.api('GET', '/students/' + sid + '/record')]).then(function (res) {
    records = res[0].records;
    basic = res[1];
    var s = basic.student || {};
    PF.append(PF.$('#resume'), [
      h('dt', '姓名'), h('dd', s.name || me.user.name),
      h('dt', '學號'), h('dd', s.student_number || '—'),
      h('dt', '班級'), h('dd', s.class || '—'),
      h('dt', '座號'), h('dd', s.seat === undefined || s.seat === null ? '—' : String(s.seat))]);
    draw(PF.termPicker(PF.$('#term'), res[0].terms, draw));
  });
});
