# One-off: made testdata/report.json internally consistent (see README.md).
import json, copy
p = 'testdata/report.json'
r = json.load(open(p))
acme, globex = r['vendors']

def tk(src, id_, url, created, sec, breached, prio):
    t = {"source": src, "id": id_}
    if url: t["url"] = url
    t.update({"created": created, "seconds": sec})
    if breached: t["breached"] = True
    t["priority"] = prio
    return t

Z = "https://acme.zendesk.com/agent/tickets/"
def z(id_, created, sec, breached, prio):
    return tk("zendesk", id_, Z + id_, created, sec, breached, prio)

# Acme SLA rows: first response 416 clocks (= the months 140+139+137), 15
# breaches (= 4+2+9 by month); resolution 382 (= 128+131+123), 27 breaches
# (= 8+6+13); 416+382 = 798 = volume.sla_checks. Worst: min(5, checks),
# breaches first.
old = {(s['priority'], s['target']): s for s in acme['sla']}
def row(prio, target, tsec, obj, checks, breaches, worst):
    c = (checks - breaches) / checks
    return {"priority": prio, "target": target, "target_seconds": tsec, "objective": obj,
            "checks": checks, "breaches": breaches, "compliance": c, "met": c >= obj, "worst": worst}
uf = old[('urgent', 'first_response')]['worst']
acme['sla'] = [
    row('urgent', 'first_response', 3600, 0.95, 37, 5, uf + [
        z('48877', '2026-09-02T23:40:00Z', 4620, True, 'urgent'),
        z('47702', '2026-07-09T03:15:00Z', 3960, True, 'urgent')]),
    row('urgent', 'resolution', 172800, 0.9, 35, 4, old[('urgent', 'resolution')]['worst'] + [
        z('48213', '2026-08-14T02:11:00Z', 262800, True, 'urgent'),
        z('48990', '2026-09-11T12:30:00Z', 201600, True, 'urgent'),
        z('48102', '2026-08-05T08:00:00Z', 180000, True, 'urgent'),
        z('47655', '2026-07-06T10:20:00Z', 169200, False, 'urgent')]),
    row('high', 'first_response', 14400, 0.95, 118, 2, [
        z('48544', '2026-08-21T18:05:00Z', 22680, True, 'high'),
        z('47921', '2026-07-24T21:40:00Z', 15300, True, 'high'),
        z('49120', '2026-09-18T07:10:00Z', 13980, False, 'high'),
        z('48311', '2026-08-10T15:55:00Z', 13500, False, 'high'),
        z('47750', '2026-07-14T11:00:00Z', 12960, False, 'high')]),
    row('high', 'resolution', 432000, 0.9, 110, 0, [
        z('48544', '2026-08-21T18:05:00Z', 410400, False, 'high'),
        z('47802', '2026-07-16T09:30:00Z', 388800, False, 'high'),
        z('49055', '2026-09-14T13:45:00Z', 367200, False, 'high'),
        z('48260', '2026-08-07T10:10:00Z', 345600, False, 'high'),
        z('47921', '2026-07-24T21:40:00Z', 331200, False, 'high')]),
    row('normal', 'first_response', 28800, 0.95, 180, 6, [
        z('49230', '2026-09-24T16:00:00Z', 61200, True, 'normal'),
        z('48470', '2026-08-19T17:30:00Z', 50400, True, 'normal'),
        z('49160', '2026-09-20T08:00:00Z', 43200, True, 'normal'),
        z('47860', '2026-07-20T19:00:00Z', 36000, True, 'normal'),
        z('49011', '2026-09-10T14:20:00Z', 32400, True, 'normal')]),
    row('normal', 'resolution', 864000, 0.9, 160, 17, [
        z('48120', '2026-08-06T09:00:00Z', 1555200, True, 'normal'),
        z('47699', '2026-07-08T13:00:00Z', 1296000, True, 'normal'),
        z('49002', '2026-09-09T10:00:00Z', 1209600, True, 'normal'),
        z('48333', '2026-08-11T11:11:00Z', 1123200, True, 'normal'),
        z('47810', '2026-07-17T15:30:00Z', 1036800, True, 'normal')]),
    row('low', 'first_response', 86400, 0.95, 81, 2, [
        z('48760', '2026-08-28T20:00:00Z', 129600, True, 'low'),
        z('47990', '2026-07-28T22:00:00Z', 97200, True, 'low'),
        z('49240', '2026-09-25T09:00:00Z', 79200, False, 'low'),
        z('48402', '2026-08-14T10:00:00Z', 72000, False, 'low'),
        z('47733', '2026-07-12T12:00:00Z', 64800, False, 'low')]),
    row('low', 'resolution', 2592000, 0.9, 77, 6, [
        z('47612', '2026-07-02T08:00:00Z', 3456000, True, 'low'),
        z('47688', '2026-07-07T09:00:00Z', 3110400, True, 'low'),
        z('48099', '2026-08-04T10:00:00Z', 2937600, True, 'low'),
        z('48221', '2026-08-08T11:00:00Z', 2851200, True, 'low'),
        z('47777', '2026-07-15T12:00:00Z', 2764800, True, 'low')]),
]
# Months: breaches 4/2/9 (first response), 8/6/13 (resolution).
mb = {('2026-07', 'first_response'): 4, ('2026-08', 'first_response'): 2, ('2026-09', 'first_response'): 9,
      ('2026-07', 'resolution'): 8, ('2026-08', 'resolution'): 6, ('2026-09', 'resolution'): 13}
for m in acme['charts']['monthly_compliance']:
    b = mb[(m['start'][:7], m['target'])]
    m['compliance'] = (m['checks'] - b) / m['checks']
# Weekly samples add up to the clocks of the priority (urgent 37, high 118).
ws = {'urgent': [3, 2, 4, 3, 2, 3, 4, 2, 1, 4, 3, 3, 2, 1],
      'high': [14, 14, 7, 5, 3, 12, 10, 7, 4, 7, 8, 11, 15, 1]}
idx = {'urgent': 0, 'high': 0}
for w in acme['charts']['weekly_first_response']:
    w['samples'] = ws[w['priority']][idx[w['priority']]]
    idx[w['priority']] += 1
acme['charts']['zone'] = 'Europe/Berlin'

# Incidents: Updates are the public posts after the first; the longest gap
# includes the silence to the resolution or the period's end.
inc = {i['id']: i for i in acme['incidents']}
inc['p9q8r7s6t5']['longest_gap_seconds'] = 165360  # update 2026-09-29 02:04, silent to 10-01 00:00

# Indicators: the builder's ids (docs/report.md on wt-report-build).
ren = {'one_touch_ratio': 'one_touch_rate', 'reopen_ratio': 'reopen_rate', 'rounds_per_ticket': 'rounds_mean',
       'postmortem_ratio': 'postmortem_rate', 'satisfaction_ratio': 'satisfaction',
       'chasing_per_ticket': 'followups_per_ticket', 'sla_compliance_first_response': 'first_response_compliance',
       'maintenance_short_notice': 'maintenance_notice_compliance'}
for f in r['footnotes']:
    f['id'] = ren.get(f['id'], f['id'])
for v in r['vendors']:
    for i in v['indicators']:
        i['id'] = ren.get(i['id'], i['id'])
        i['footnote'] = ren.get(i['footnote'], i['footnote'])
def ind(v, id_):
    return next(i for i in v['indicators'] if i['id'] == id_)
for v in r['vendors']:
    x = ind(v, 'reopen_rate'); x['unit'] = 'per_ticket'; x['name'] = 'Reopens per ticket opened'
    x = ind(v, 'rounds_mean'); x['unit'] = 'count'
x = ind(acme, 'reopen_rate'); x['value'] = 25 / 412; x['previous'] = 23 / 380; x['target'] = 0.05; x['met'] = False
x = ind(globex, 'reopen_rate'); x['value'] = 1 / 57; x['previous'] = 4 / 50; x['samples'] = 57
ind(acme, 'reopen_rate')['samples'] = 412
x = ind(acme, 'maintenance_notice_compliance')
x.update({'name': 'Maintenances with the agreed notice', 'unit': 'ratio', 'value': 2 / 3, 'samples': 3,
          'target': 1, 'met': False, 'higher_is_better': True, 'previous': 1})
x = ind(acme, 'first_response_compliance')
x.update({'value': 401 / 416, 'samples': 416, 'target': 0.95, 'met': True, 'previous': 0.9811})
x = ind(acme, 'incident_update_gap_p90'); x['samples'] = 25  # (6+1)+(3+1)+(11+1)+(1+1) gaps
x = ind(acme, 'resolution_p90_urgent'); x['value'] = 190800; x['previous'] = 183600  # 4 of 35 breached: p90 past the target
x = ind(globex, 'first_response_p90_high'); x['samples'] = 30
x = ind(globex, 'first_response_compliance'); x['value'] = 27 / 30
for v, opened, prev, res_c, res_prev in ((acme, 412, 380, 355 / 382, 0.9287), (globex, 57, 50, None, None)):
    pos = next(k for k, i in enumerate(v['indicators']) if i['dimension'] != 'response_speed')
    v['indicators'].insert(0, {"id": "tickets_opened", "dimension": "response_speed", "name": "Tickets opened",
        "unit": "count", "value": opened, "samples": opened, "higher_is_better": False, "neutral": True,
        "previous": prev, "footnote": "tickets_opened"})
    if res_c is not None:
        pos = next(k for k, i in enumerate(v['indicators']) if i['id'] == 'one_touch_rate')
        v['indicators'].insert(pos, {"id": "resolution_compliance", "dimension": "resolution",
            "name": "Resolution SLA compliance", "unit": "ratio", "value": res_c, "samples": 382,
            "target": 0.9, "met": True, "higher_is_better": True, "previous": res_prev, "footnote": "resolution_compliance"})
r['footnotes'].insert(0, {"id": "tickets_opened", "text": "Tickets opened in the period.",
    "promql": 'sum(increase(support_tickets_created_total{vendor="$vendor"}[$__range]))'})
r['footnotes'].append({"id": "resolution_compliance",
    "text": "Share of resolution SLA clocks that ended in the period within their target.",
    "promql": '1 - sum(increase(support_ticket_sla_breaches_total{vendor="$vendor",target="resolution"}[$__range])) / sum(increase(support_ticket_sla_checks_total{vendor="$vendor",target="resolution"}[$__range]))'})

# Globex: first response only, 30 clocks (12 in July, 0 in August, 18 in
# September), 3 breaches (1 + 2); no clock of the urgent priority.
globex['volume']['sla_checks'] = 30
gw = old_g = {(s['priority'], s['target']): s for s in globex['sla']}
FD = "https://globex.freshdesk.com/a/tickets/"
hw = gw[('high', 'first_response')]['worst'] + [
    tk('freshdesk', 'GX-1301', FD + '1301', '2026-09-17T10:00:00Z', 27000, False, 'high'),
    tk('freshdesk', 'GX-1288', FD + '1288', '2026-09-08T14:00:00Z', 25200, False, 'high'),
    tk('freshdesk', 'GX-1305', FD + '1305', '2026-09-21T08:30:00Z', 24500, False, 'high')]
hw[0]['created'] = '2026-09-03T16:50:00Z'  # no Globex clock ended in August
globex['sla'] = [
    {**gw[('urgent', 'first_response')], 'met': None},
    row('high', 'first_response', 28800, 0.95, 30, 3, hw),
]
del globex['sla'][0]['met']
gs = [5, 3, 0, 4, 0, 0, 0, 0, 0, 6, 0, 5, 6, 1]
weeks = [w for w in globex['charts']['weekly_first_response'] if w['priority'] == 'high']
urgent = []
for w, n in zip(weeks, gs):
    w['samples'] = n
    if n == 0:
        w['p50'] = None; w['p90'] = None
    elif w['p50'] is None:
        w['p50'] = 10400; w['p90'] = 26000
    u = copy.deepcopy(w); u.update({'priority': 'urgent', 'samples': 0, 'p50': None, 'p90': None, 'target_seconds': 7200})
    urgent.append(u)
globex['charts']['weekly_first_response'] = weeks + urgent  # urgent has no sample: no chart
globex['charts']['zone'] = 'UTC'

json.dump(r, open(p, 'w'), indent=2, ensure_ascii=False)
open(p, 'a').write('\n')
