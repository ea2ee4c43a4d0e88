-- Seed data: a small catalogue so that a fresh environment has something to sell.
INSERT INTO products (sku, name, price_cents, stock) VALUES
    ('MUG-001', 'Pipeline Mug',        1250, 40),
    ('TEE-001', 'Green Build T-Shirt', 2499, 25),
    ('STK-001', 'Sticker Pack',         399, 200),
    ('HOO-001', 'Release Hoodie',      5900, 10),
    ('CAP-001', 'Rollback Cap',        1899, 0);
