/** "€1,234.50" from 123450 cents. Implemented by hand so output does not depend on the locale. */
export function formatPrice(cents: number): string {
  if (!Number.isSafeInteger(cents))
    throw new TypeError(`price must be integer cents, got ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const rest = (abs % 100).toString().padStart(2, "0");
  return `${sign}€${euros}.${rest}`;
}

export function formatStock(stock: number): string {
  if (stock <= 0) return "Sold out";
  return `${stock} in stock`;
}

export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
