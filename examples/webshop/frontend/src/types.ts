/** Shapes of the backend's JSON (see examples/webshop/backend). */
export interface Product {
  id: number;
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
}

export interface Health {
  status: string;
  version: string;
  database?: { schemaVersion: string };
}

export interface OrderLine {
  lineNo: number;
  productId: number;
  name: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface OrderConfirmation {
  orderId: number;
  totalCents: number;
  lines: OrderLine[];
}

export interface OrderRequest {
  items: { productId: number; quantity: number }[];
}
