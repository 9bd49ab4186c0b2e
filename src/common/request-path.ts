/**
 * A request's path without its query string. The query may hold what a client should never
 * have put in a URL (`?api_key=...`, `?access_token=...`): logs and answers use this instead.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A voice call's ticket in its answer URL: the code, sealed, and a credential while it is pending. */
const VOICE_TICKET = /(\/otp\/callbacks\/plivo\/voice\/)[^/]+/;

/** The path as logs show it: without its query string, and without a voice call's ticket. */
export function loggedPathOf(url: string): string {
  return pathOf(url).replace(VOICE_TICKET, '$1:ticket');
}
