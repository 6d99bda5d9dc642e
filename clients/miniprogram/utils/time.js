// Time labels as in the original mini-program: a label above a message when more than 3 minutes
// passed since the previous one (and above the first message).

export const TIME_LABEL_GAP_MS = 3 * 60 * 1000;

/** Whether a message at `ts` gets a time label after a previous message at `previousTs` (0: none). */
export function needsTimeLabel(previousTs, ts) {
  return !previousTs || ts - previousTs > TIME_LABEL_GAP_MS;
}

const pad = (n) => String(n).padStart(2, '0');

/** "14:05" today, "昨天 14:05" yesterday, "11-25 14:05" this year, "2025-11-25 14:05" before. */
export function formatTimeLabel(ts, now = Date.now()) {
  const d = new Date(ts);
  const today = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  if (ts >= startOfToday) {
    return hm;
  }
  if (ts >= startOfToday - 24 * 3600 * 1000) {
    return `昨天 ${hm}`;
  }
  if (d.getFullYear() === today.getFullYear()) {
    return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}
