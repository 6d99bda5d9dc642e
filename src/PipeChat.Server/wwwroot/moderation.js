// The web demo's moderator view: a room's moderators (the token's mod claim: room ids or
// prefixes ending in *) get a menu on each message — recall, mute, ban — and a read-only switch.
// Everyone sees recalled messages as recalled. The server checks every request itself: this only
// decides what to show.

export const RECALLED = 'message recalled';
const MINUTES = 10;

/** The token's mod claim (read from its payload; the signature is the server's business). */
export function modPatterns(token) {
  try {
    const part = String(token ?? '').split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const mod = JSON.parse(decodeURIComponent(escape(json))).mod;
    return Array.isArray(mod) ? mod.filter((p) => typeof p === 'string' && p.length > 0) : [];
  } catch {
    return [];
  }
}

/** Whether the patterns cover the room, as the server matches them. */
export function moderates(patterns, roomid) {
  return patterns.some((p) => (p.endsWith('*') ? roomid.startsWith(p.slice(0, -1)) : p === roomid));
}

function button(text, className, onClick) {
  const node = document.createElement('button');
  node.type = 'button';
  node.className = className;
  node.textContent = text;
  node.addEventListener('click', onClick);
  return node;
}

/**
 * The ⋯ menu of one room message: recall it, mute or ban its sender for 10 minutes.
 * `report(text, level)` writes the outcome into the conversation.
 */
export function messageMenu(item, roomid, client, report) {
  const wrap = document.createElement('div');
  wrap.className = 'msg-menu';
  const list = document.createElement('div');
  list.className = 'menu';
  list.hidden = true;
  const run = (label, action) => async () => {
    list.hidden = true;
    try {
      await action();
      report(label, 'info');
    } catch (e) {
      report(`${label} failed: ${e.code} — ${e.message}`, 'error');
    }
  };
  list.append(
    button('Recall', 'recall', run(`recalled message ${item.seq}`, () => client.recall(roomid, item.seq))),
    button(`Mute ${MINUTES} min`, 'mute', run(`muted ${item.from} for ${MINUTES} minutes`, () => client.mute(roomid, item.from, MINUTES * 60))),
    button(`Ban ${MINUTES} min`, 'ban', run(`banned ${item.from} for ${MINUTES} minutes`, () => client.ban(roomid, item.from, MINUTES * 60))),
  );
  wrap.append(button('⋯', 'menu-open', () => (list.hidden = !list.hidden)), list);
  return wrap;
}

/** Marks message `seq` of the conversation as recalled; true when the view holds it. */
export function markRecalled(conv, seq) {
  let found = false;
  for (const item of conv.items) {
    if (item.type === 'msg' && item.seq === seq) {
      item.recalled = true;
      item.text = RECALLED;
      found = true;
    }
  }
  return found;
}

/** The read-only switch of the conversation head: turns the room's read-only state over. */
export async function toggleReadOnly(conv, client, report) {
  const on = !conv.readOnly;
  try {
    await client.setReadOnly(conv.name, on);
    conv.readOnly = on;
    report(on ? 'the room is read-only: only moderators may send' : 'the room is open again', 'info');
  } catch (e) {
    report(`read-only failed: ${e.code} — ${e.message}`, 'error');
  }
  return conv.readOnly === true;
}
