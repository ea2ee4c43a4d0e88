export type RouteName = "health" | "listProducts" | "createOrder";

export type RouteMatch =
  | { kind: "route"; name: RouteName }
  | { kind: "notFound" }
  | { kind: "methodNotAllowed"; allow: string[] };

interface Route {
  method: string;
  path: string;
  name: RouteName;
}

export const ROUTES: readonly Route[] = [
  { method: "GET", path: "/health", name: "health" },
  { method: "GET", path: "/api/products", name: "listProducts" },
  { method: "POST", path: "/api/orders", name: "createOrder" },
];

/** Path of a request target without query string or trailing slash ("/api/products/?x" → "/api/products"). */
export function normalizePath(url: string | undefined): string {
  const target = url ?? "/";
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  if (path.length > 1 && path.endsWith("/")) return path.replace(/\/+$/, "") || "/";
  return path || "/";
}

export function matchRoute(method: string | undefined, url: string | undefined): RouteMatch {
  const path = normalizePath(url);
  const candidates = ROUTES.filter((route) => route.path === path);
  if (candidates.length === 0) return { kind: "notFound" };
  const wanted = (method ?? "GET").toUpperCase();
  // HEAD is answered like GET; node:http leaves out the body of a HEAD response.
  const effective = wanted === "HEAD" ? "GET" : wanted;
  const route = candidates.find((candidate) => candidate.method === effective);
  if (route) return { kind: "route", name: route.name };
  return { kind: "methodNotAllowed", allow: candidates.map((candidate) => candidate.method) };
}
