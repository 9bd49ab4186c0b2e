/**
 * A request's path without its query string. The query may hold what a client should never
 * have put in a URL (`?api_key=...`, `?access_token=...`): logs and answers use this instead.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
