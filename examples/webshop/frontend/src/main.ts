import { ApiError, createApi } from "./api.js";
import {
  addToCart,
  type Cart,
  cartLines,
  cartTotalCents,
  emptyCart,
  quantityInCart,
  reconcileCart,
  removeFromCart,
  toOrderRequest,
} from "./cart.js";
import type { Health, OrderConfirmation, Product } from "./types.js";
import {
  renderCart,
  renderConfirmation,
  renderError,
  renderFooter,
  renderProducts,
} from "./view.js";

interface State {
  products: Product[];
  cart: Cart;
  busy: boolean;
  confirmation: OrderConfirmation | null;
  error: string | null;
  health: Health | null;
  healthError: string | undefined;
}

const api = createApi();
const state: State = {
  products: [],
  cart: emptyCart,
  busy: false,
  confirmation: null,
  error: null,
  health: null,
  healthError: undefined,
};

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
}

const productsEl = element("products");
const cartEl = element("cart");
const messagesEl = element("messages");
const footerEl = element("footer");

function render(): void {
  productsEl.innerHTML = renderProducts(state.products, (id) => quantityInCart(state.cart, id));
  const lines = cartLines(state.cart, state.products);
  cartEl.innerHTML = renderCart(lines, cartTotalCents(lines), state.busy);
  messagesEl.innerHTML = [
    state.error ? renderError(state.error) : "",
    state.confirmation ? renderConfirmation(state.confirmation) : "",
  ].join("");
  footerEl.innerHTML = renderFooter(state.health, state.healthError);
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Cannot reach the shop. Please check your connection and try again.";
}

async function loadProducts(): Promise<void> {
  try {
    state.products = await api.products();
    state.cart = reconcileCart(state.cart, state.products);
  } catch (error) {
    state.error = messageOf(error);
  }
  render();
}

async function loadHealth(): Promise<void> {
  try {
    state.health = await api.health();
    state.healthError = undefined;
  } catch (error) {
    state.health = null;
    state.healthError = messageOf(error);
  }
  render();
}

async function checkout(): Promise<void> {
  if (state.busy || state.cart.size === 0) return;
  state.busy = true;
  state.error = null;
  state.confirmation = null;
  render();
  try {
    state.confirmation = await api.placeOrder(toOrderRequest(state.cart));
    state.cart = emptyCart;
  } catch (error) {
    state.error = messageOf(error);
  } finally {
    state.busy = false;
  }
  await loadProducts();
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
  if (!(target instanceof HTMLElement)) return;
  const productId = Number(target.dataset.productId);
  const product = state.products.find((candidate) => candidate.id === productId);
  switch (target.dataset.action) {
    case "add":
      if (product) state.cart = addToCart(state.cart, product);
      state.confirmation = null;
      render();
      break;
    case "remove":
      state.cart = removeFromCart(state.cart, productId);
      render();
      break;
    case "checkout":
      void checkout();
      break;
  }
});

render();
void loadProducts();
void loadHealth();
