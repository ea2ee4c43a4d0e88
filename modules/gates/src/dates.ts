/** Calendar dates as waivers and the gate's clock use them: YYYY-MM-DD, compared as strings. */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a string is a real calendar date in YYYY-MM-DD form (2026-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Today's date in UTC as YYYY-MM-DD; UTC so a waiver expires at the same moment on every runner. */
export const utcDate = (now: Date): string => now.toISOString().slice(0, 10);

/** The same day one year later (YYYY-MM-DD); 29 February becomes 28 February. */
export function oneYearAfter(date: string): string {
  const m = DATE.exec(date);
  if (!m) throw new Error(`oneYearAfter: ${JSON.stringify(date)} is not YYYY-MM-DD`);
  const year = String(Number(m[1]) + 1).padStart(4, "0");
  const next = `${year}-${m[2]}-${m[3]}`;
  return isCalendarDate(next) ? next : `${year}-02-28`;
}
