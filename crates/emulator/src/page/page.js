// The live "what colleagues see" page. Listens to /_emulator/events (server-sent events) and renders.
// Server data only ever reaches the DOM through textContent and attributes, never parsed as markup.
// Countdowns tick locally, extrapolated from the `now` and `clockSpeed` of the last `state` event.
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const FEED_MAX = 200;

  // Contract §3: an Available session fades to inactive after 5 min, to Away after 10 min.
  const FADE_INACTIVE_MS = 5 * 60 * 1000;
  const FADE_AWAY_MS = 10 * 60 * 1000;

  const AVAILABILITY = {
    Available: 'Available',
    AvailableIdle: 'Available',
    Busy: 'Busy',
    BusyIdle: 'Busy',
    DoNotDisturb: 'Do not disturb',
    BeRightBack: 'Be right back',
    Away: 'Away',
    Offline: 'Offline',
    PresenceUnknown: 'Unknown',
  };

  const ACTIVITY = {
    Available: 'Available',
    AvailableInactive: 'Inactive',
    Busy: 'Busy',
    InACall: 'In a call',
    InAConferenceCall: 'In a conference call',
    InAMeeting: 'In a meeting',
    Presenting: 'Presenting',
    DoNotDisturb: 'Do not disturb',
    UrgentInterruptionsOnly: 'Urgent interruptions only',
    Focusing: 'Focusing',
    BeRightBack: 'Be right back',
    Away: 'Away',
    Inactive: 'Inactive',
    OffWork: 'Off work',
    Offline: 'Offline',
    OutOfOffice: 'Out of office',
    PresenceUnknown: 'Unknown',
  };

  const TONE = {
    Available: 'available',
    AvailableIdle: 'available',
    Busy: 'busy',
    BusyIdle: 'busy',
    DoNotDisturb: 'busy',
    BeRightBack: 'away',
    Away: 'away',
  };

  // Splits an unknown PascalCase value into words, so new values still read well.
  function words(value) {
    if (typeof value !== 'string' || value === '') return 'Unknown';
    const spaced = value.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    return spaced.charAt(0).toUpperCase() + spaced.slice(1);
  }
  const availabilityLabel = (a) => AVAILABILITY[a] || words(a);
  const activityLabel = (a) => ACTIVITY[a] || words(a);
  const toneOf = (availability) => TONE[availability] || 'offline';

  // ---- time ---------------------------------------------------------------------------------------------

  const clock = { virtualMs: Date.now(), perfMs: performance.now(), speed: 1, known: false };

  function virtualNow() {
    return clock.virtualMs + (performance.now() - clock.perfMs) * clock.speed;
  }

  // RFC 3339 with up to nanoseconds; Date.parse is only promised milliseconds.
  function parseTime(text) {
    if (typeof text !== 'string') return NaN;
    const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
    return Date.parse(trimmed);
  }

  const timeFmt = new Intl.DateTimeFormat(undefined, {
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  const dateFmt = new Intl.DateTimeFormat(undefined, {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  });

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  function formatRemaining(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(total / 86400);
    const h = Math.floor((total % 86400) / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (d > 0) return `${d}d ${pad(h)}:${pad(m)}:${pad(s)}`;
    if (h > 0) return `${h}:${pad(m)}:${pad(s)}`;
    return `${m}:${pad(s)}`;
  }

  function formatSpeed(speed) {
    if (!Number.isFinite(speed) || speed === 1) return 'real time';
    const rounded = speed >= 10 ? Math.round(speed) : Math.round(speed * 100) / 100;
    return `×${rounded}`;
  }

  // ---- DOM helpers --------------------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  // A Teams-style presence glyph: green check, red disc, red disc with a bar, yellow clock or arrow, grey ring.
  function glyph(availability, activity) {
    const tone = toneOf(availability);
    const svg = svgEl('svg', { viewBox: '0 0 20 20', class: 'glyph', 'aria-hidden': 'true', focusable: 'false' });
    svg.dataset.tone = tone;
    if (tone === 'offline') {
      svg.appendChild(svgEl('circle', { cx: 10, cy: 10, r: 8.4, class: 'disc' }));
      if (availability === 'Offline') {
        svg.appendChild(svgEl('path', { d: 'M7.4 7.4 12.6 12.6M12.6 7.4 7.4 12.6', class: 'mark' }));
      }
      return svg;
    }
    svg.appendChild(svgEl('circle', { cx: 10, cy: 10, r: 9.5, class: 'disc' }));
    if (availability === 'DoNotDisturb' || activity === 'Presenting') {
      svg.appendChild(svgEl('rect', { x: 5.2, y: 8.9, width: 9.6, height: 2.2, rx: 1.1, class: 'bar' }));
    } else if (tone === 'available') {
      svg.appendChild(svgEl('path', { d: 'M6 10.3 8.7 12.9 14 7.4', class: 'mark' }));
    } else if (availability === 'BeRightBack') {
      svg.appendChild(svgEl('path', { d: 'M8.6 6.3 6 8.9l2.6 2.6M6.4 8.9h4.6a3 3 0 0 1 0 6H9.5', class: 'mark' }));
    } else if (tone === 'away') {
      svg.appendChild(svgEl('path', { d: 'M10 5.6v4.6l3 1.9', class: 'mark' }));
    }
    return svg;
  }

  // A countdown span; tick() keeps its text current.
  function countdown(deadlineMs, prefix, expiredText) {
    const span = el('span', 'countdown');
    span.dataset.deadline = String(deadlineMs);
    span.dataset.prefix = prefix;
    span.dataset.expired = expiredText;
    updateCountdown(span, virtualNow());
    return span;
  }

  function updateCountdown(span, now) {
    const deadline = Number(span.dataset.deadline);
    const left = deadline - now;
    const text = left > 0 ? `${span.dataset.prefix} ${formatRemaining(left)}` : span.dataset.expired;
    if (span.textContent !== text) span.textContent = text;
    const soon = left > 0 && left < 60000 ? 'true' : 'false';
    if (span.dataset.soon !== soon) span.dataset.soon = soon;
  }

  // ---- state --------------------------------------------------------------------------------------------

  const clients = new Map();
  const cards = new Map();

  function clientName(id) {
    if (!id) return '';
    const known = clients.get(String(id).toLowerCase());
    return known || `${String(id).slice(0, 8)}…`;
  }

  function initials(name) {
    const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
    const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || '?').slice(0, 2);
    return letters.toUpperCase();
  }

  function makeCard(user) {
    const root = el('article', 'card');
    const head = el('div', 'card-head');
    const avatar = el('div', 'avatar');
    avatar.setAttribute('aria-hidden', 'true');
    const avatarText = el('span', 'avatar-text', initials(user.displayName));
    const badge = el('span', 'avatar-badge');
    avatar.append(avatarText, badge);
    const who = el('div', 'who');
    const name = el('h3', null, user.displayName);
    const upn = el('p', 'upn', user.userPrincipalName);
    who.append(name, upn);
    head.append(avatar, who);

    const status = el('div', 'status');
    const glyphSlot = el('div');
    const statusWords = el('div');
    statusWords.setAttribute('role', 'status');
    statusWords.setAttribute('aria-live', 'polite');
    statusWords.setAttribute('aria-atomic', 'true');
    const statusText = el('p', 'status-text');
    const statusActivity = el('p', 'status-activity');
    statusWords.append(statusText, statusActivity);
    status.append(glyphSlot, statusWords);

    const note = el('p', 'note');
    const noteText = el('span', 'note-text');
    const noteExpiry = el('span', 'note-expiry');
    note.append(noteText, noteExpiry);

    const why = el('p', 'why');

    const pinBlock = el('div');
    pinBlock.append(el('h4', 'block-title', 'Preferred presence (pin)'));
    const pinList = el('ul', 'rows');
    pinBlock.append(pinList);

    const sessionBlock = el('div');
    const sessionTitle = el('h4', 'block-title', 'Sessions');
    const sessionList = el('ul', 'rows');
    sessionBlock.append(sessionTitle, sessionList);

    root.append(head, status, note, why, pinBlock, sessionBlock);
    root.setAttribute('aria-labelledby', `user-${user.id}`);
    name.id = `user-${user.id}`;
    return { root, name, upn, avatarText, badge, note, noteText, noteExpiry, glyphSlot, statusText, statusActivity, why, pinList, sessionList, sessionTitle, key: '' };
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function renderUser(card, user, nowMs) {
    setText(card.name, user.displayName);
    setText(card.upn, user.userPrincipalName);
    setText(card.avatarText, initials(user.displayName));
    const p = user.presence;
    if (!p || typeof p !== 'object' || !p.effective) {
      card.root.dataset.tone = 'offline';
      card.glyphSlot.replaceChildren(glyph('PresenceUnknown'));
      card.badge.replaceChildren(glyph('PresenceUnknown'));
      card.key = '';
      setText(card.statusText, 'Unknown');
      setText(card.statusActivity, 'The emulator did not report presence for this user.');
      card.why.hidden = true;
      card.note.hidden = true;
      card.pinList.replaceChildren(emptyRow('No pin'));
      card.sessionList.replaceChildren(emptyRow('No sessions'));
      return;
    }
    const eff = p.effective;
    const tone = toneOf(eff.availability);
    card.root.dataset.tone = tone;
    const key = `${eff.availability}/${eff.activity}`;
    if (card.key !== key) {
      card.key = key;
      card.glyphSlot.replaceChildren(glyph(eff.availability, eff.activity));
      card.badge.replaceChildren(glyph(eff.availability, eff.activity));
    }
    const main = availabilityLabel(eff.availability);
    const act = activityLabel(eff.activity);
    const sessions = Array.isArray(p.sessions) ? p.sessions : [];
    const pin = p.pin && typeof p.pin === 'object' ? p.pin : null;
    const detail = [];
    if (act !== main) detail.push(act);
    detail.push(sourceOf(p, sessions));
    setText(card.statusText, main);
    setText(card.statusActivity, detail.join(' · '));
    const reason = explain(pin, sessions);
    card.why.hidden = !reason.text;
    card.why.dataset.level = reason.level;
    setText(card.why, reason.text);

    const message = p.statusMessage && typeof p.statusMessage === 'object' ? p.statusMessage : null;
    card.note.hidden = !message || !message.content;
    if (message && message.content) {
      // An HTML message is shown as its text: tags are dropped, never rendered.
      const text = message.contentType === 'html' ? String(message.content).replace(/<[^>]*>/g, '') : message.content;
      setText(card.noteText, text);
      const until = parseTime(message.expiresAt);
      card.noteExpiry.replaceChildren(...(Number.isFinite(until) ? [countdown(until, 'clears in', 'clearing…')] : []));
    }

    card.pinList.replaceChildren(pin ? pinRow(pin) : emptyRow('No pin: sessions decide'));
    setText(card.sessionTitle, sessions.length ? `Sessions (${sessions.length})` : 'Sessions');
    card.sessionList.replaceChildren(
      ...(sessions.length ? sessions.map((s) => sessionRow(s, nowMs)) : [emptyRow('No live session')]),
    );
  }

  // Where the effective presence comes from: the pin, one session, or nothing (contract §3).
  function sourceOf(p, sessions) {
    const decided = p.decidedBy && typeof p.decidedBy === 'object' ? p.decidedBy : {};
    if (decided.by === 'noSession' || sessions.length === 0) return 'no live session';
    if (decided.by === 'pin') return 'from the pin';
    const match = sessions.find((s) => s.sessionId === decided.sessionId) || sessions[0];
    return `from ${sessionName(match)}`;
  }

  function sessionName(s) {
    return s.kind === 'teams' ? 'the Teams client' : clientName(s.sessionId);
  }

  function setterName(id) {
    return id === 'teams' ? 'the user in Teams' : clientName(id);
  }

  // Why colleagues see what they see (contract §3).
  function explain(pin, sessions) {
    if (pin && sessions.length === 0) {
      return {
        level: 'warn',
        text: `Pinned ${availabilityLabel(pin.availability)}, but no live session: colleagues see Offline until an app or Teams keeps a session alive.`,
      };
    }
    if (pin && pin.availability === 'Offline') {
      return { level: 'info', text: 'Appear offline is pinned: it masks every session until cleared.' };
    }
    if (pin) {
      return { level: 'info', text: 'The pin wins over every session while one is alive.' };
    }
    if (sessions.length > 1) {
      return { level: 'info', text: 'No pin: the strongest session wins (Do not disturb › Busy › Available › Away).' };
    }
    if (sessions.length === 0) {
      return { level: 'info', text: 'No session and no pin: Offline.' };
    }
    return { level: 'info', text: '' };
  }

  function emptyRow(text) {
    const li = el('li', 'row none', text);
    return li;
  }

  function pinRow(pin) {
    const li = el('li', 'row');
    const main = el('div', 'row-main');
    const titleLine = el('span', 'row-title-line');
    titleLine.append(el('span', 'row-title', pairLabel(pin.availability, pin.activity)));
    titleLine.append(el('span', 'chip pin', 'Pinned'));
    main.append(titleLine);
    main.append(el('span', 'row-sub', pin.setBy ? `Set by ${setterName(pin.setBy)}` : 'Preferred presence'));
    const side = el('div', 'row-side');
    const expires = parseTime(pin.expiresAt);
    if (Number.isFinite(expires)) side.append(countdown(expires, 'expires in', 'expiring…'));
    else side.append(el('span', 'countdown', 'until cleared'));
    li.append(glyph(pin.availability, pin.activity), main, side);
    return li;
  }

  function pairLabel(availability, activity) {
    const a = availabilityLabel(availability);
    const b = activityLabel(activity);
    return a === b ? a : `${a} · ${b}`;
  }

  function sessionRow(s, nowMs) {
    const li = el('li', 'row');
    const shown = s.shown && typeof s.shown === 'object' ? s.shown : { availability: s.availability, activity: s.activity };
    const isTeams = s.kind === 'teams';
    const main = el('div', 'row-main');
    const titleLine = el('span', 'row-title-line');
    titleLine.append(el('span', 'row-title', isTeams ? 'Teams client' : clientName(s.sessionId)));
    titleLine.append(el('span', `chip kind-${isTeams ? 'teams' : 'app'}`, isTeams ? 'Teams' : 'App'));
    main.append(titleLine);
    const setAs = pairLabel(s.availability, s.activity);
    const shownAs = pairLabel(shown.availability, shown.activity);
    main.append(el('span', 'row-sub', setAs === shownAs ? setAs : `Shows ${shownAs} · set ${setAs}`));

    const side = el('div', 'row-side');
    if (s.fadeStage === 'inactive') side.append(el('span', 'chip fade', 'Faded: inactive'));
    if (s.fadeStage === 'away') side.append(el('span', 'chip fade', 'Faded to Away'));
    const expires = parseTime(s.expiresAt);
    const lastSet = parseTime(s.lastSetAt);
    let fadeAt = NaN;
    let fadeWhat = '';
    if (!isTeams && s.availability === 'Available' && Number.isFinite(lastSet)) {
      if (s.fadeStage === 'none') { fadeAt = lastSet + FADE_INACTIVE_MS; fadeWhat = 'inactive in'; }
      else if (s.fadeStage === 'inactive') { fadeAt = lastSet + FADE_AWAY_MS; fadeWhat = 'away in'; }
    }
    if (Number.isFinite(expires)) side.append(countdown(expires, 'expires in', 'expiring…'));
    else side.append(el('span', 'countdown', 'no expiry'));
    if (Number.isFinite(fadeAt) && fadeAt > nowMs && (!Number.isFinite(expires) || fadeAt < expires)) {
      side.append(countdown(fadeAt, fadeWhat, 'fading…'));
    }

    li.append(glyph(shown.availability, shown.activity), main, side);
    return li;
  }

  function applyState(view) {
    const now = parseTime(view.now);
    if (Number.isFinite(now)) {
      clock.virtualMs = now;
      clock.perfMs = performance.now();
      clock.speed = Number.isFinite(view.clockSpeed) && view.clockSpeed > 0 ? view.clockSpeed : 1;
      clock.known = true;
    }
    const speed = document.getElementById('clock-speed');
    setText(speed, formatSpeed(clock.speed));
    speed.dataset.fast = clock.speed !== 1 ? 'true' : 'false';

    clients.clear();
    for (const c of Array.isArray(view.clients) ? view.clients : []) {
      if (c && c.clientId) clients.set(String(c.clientId).toLowerCase(), String(c.name || c.clientId));
    }

    const users = Array.isArray(view.users) ? view.users : [];
    const container = document.getElementById('users');
    document.getElementById('users-empty').hidden = users.length > 0;
    const seen = new Set();
    for (const user of users) {
      seen.add(user.id);
      let card = cards.get(user.id);
      if (!card) {
        card = makeCard(user);
        cards.set(user.id, card);
        container.append(card.root);
      }
      renderUser(card, user, virtualNow());
    }
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.root.remove();
        cards.delete(id);
      }
    }
    if (view.requestLog && Number.isFinite(view.requestLog.lastSeq)) {
      knownSeq = Math.max(knownSeq, view.requestLog.lastSeq);
    }
    if (view.requestLog && Number.isFinite(view.requestLog.length)) {
      const n = view.requestLog.length;
      setText(document.getElementById('feed-count'), `${n} request${n === 1 ? '' : 's'} logged`);
    }
    tick();
  }

  // ---- request feed -------------------------------------------------------------------------------------

  const feedSeen = new Set();
  // The newest sequence number the last state event reported: requests up to it are replayed history, not news.
  let knownSeq = 0;

  function statusClass(status) {
    if (status >= 200 && status < 400) return 'ok';
    if (status === 429 || status >= 500) return 'err';
    return 'warn';
  }

  function addRequest(entry) {
    if (!entry || feedSeen.has(entry.seq)) return;
    feedSeen.add(entry.seq);
    const tbody = document.getElementById('feed');
    const tr = el('tr');
    const at = parseTime(entry.time);
    tr.append(el('td', 't-time', Number.isFinite(at) ? timeFmt.format(at) : ''));
    tr.append(el('td', 't-method', entry.method));
    const path = el('td', 't-path');
    path.append(el('span', 'svc', entry.service), document.createTextNode(entry.path));
    path.title = entry.path;
    tr.append(path);
    const st = el('td');
    st.append(el('span', `st ${statusClass(entry.status)}`, entry.status));
    tr.append(st);
    const kind = el('td', 't-kind');
    if (entry.kind) kind.append(el('code', null, entry.kind));
    tr.append(kind);
    const client = el('td', 't-client', entry.clientId ? clientName(entry.clientId) : '');
    if (entry.clientId) client.title = entry.clientId;
    tr.append(client);
    if (entry.seq > knownSeq && document.visibilityState === 'visible') tr.className = 'fresh';
    // Keep newest first, ordered by sequence even when replayed out of order.
    let before = tbody.firstElementChild;
    while (before && Number(before.dataset.seq) > entry.seq) before = before.nextElementSibling;
    tr.dataset.seq = String(entry.seq);
    tbody.insertBefore(tr, before);
    while (tbody.children.length > FEED_MAX) {
      const last = tbody.lastElementChild;
      feedSeen.delete(Number(last.dataset.seq));
      last.remove();
    }
    document.getElementById('feed-empty').hidden = tbody.children.length > 0;
  }

  // ---- clock tick and connection ------------------------------------------------------------------------

  function tick() {
    const now = virtualNow();
    setText(document.getElementById('clock-time'), clock.known ? timeFmt.format(now) : '--:--:--');
    setText(document.getElementById('clock-date'), clock.known ? dateFmt.format(now) : '\u00a0');
    for (const span of document.querySelectorAll('.countdown[data-deadline]')) updateCountdown(span, now);
  }

  function setConnection(state, text) {
    const box = document.querySelector('.conn');
    if (box.dataset.state !== state) box.dataset.state = state;
    setText(document.getElementById('conn-text'), text);
  }

  function connect() {
    const source = new EventSource('/_emulator/events');
    source.addEventListener('open', () => setConnection('live', 'Live'));
    source.addEventListener('error', () => {
      setConnection('lost', source.readyState === EventSource.CLOSED ? 'Disconnected' : 'Reconnecting…');
    });
    source.addEventListener('state', (e) => {
      try {
        applyState(JSON.parse(e.data));
      } catch (err) {
        console.error('bad state event', err);
      }
    });
    source.addEventListener('request', (e) => {
      try {
        addRequest(JSON.parse(e.data));
      } catch (err) {
        console.error('bad request event', err);
      }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    connect();
    setInterval(tick, 250);
  });
})();
