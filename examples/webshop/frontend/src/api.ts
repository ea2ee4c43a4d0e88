import type { Health, OrderConfirmation, OrderRequest, Product } from "./types.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A message for the user from an error response of the backend (or the proxy in front). */
export function apiErrorMessage(status: number, body: unknown): string {
  if (body && typeof body === "object" && "message" in body && typeof body.message === "string") {
    return body.message;
  }
  if (status === 502 || status === 503 || status === 504) {
    return "The shop is temporarily unavailable. Please try again.";
  }
  return `Request failed (HTTP ${status}).`;
}

type Fetch = typeof fetch;

async function request<T>(fetchFn: Fetch, path: string, init?: RequestInit): Promise<T> {
  const response = await fetchFn(path, {
    ...init,
    headers: { accept: "application/json", ...(init?.headers ?? {}) },
  });
  let body: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, apiErrorMessage(response.status, body));
  return body as T;
}

export function createApi(fetchFn: Fetch = (input, init) => fetch(input, init)) {
  return {
    async products(): Promise<Product[]> {
      const body = await request<{ products: Product[] }>(fetchFn, "/api/products");
      return body.products;
    },
    health(): Promise<Health> {
      return request<Health>(fetchFn, "/health");
    },
    placeOrder(order: OrderRequest): Promise<OrderConfirmation> {
      return request<OrderConfirmation>(fetchFn, "/api/orders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(order),
      });
    },
  };
}

export type Api = ReturnType<typeof createApi>;
