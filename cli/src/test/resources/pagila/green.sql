-- Green for the Pagila acceptance test: a reshaped "shop" schema.
CREATE SCHEMA shop;
CREATE TYPE shop.mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');

CREATE TABLE shop.customers (
    id           bigint       PRIMARY KEY,
    store_id     integer      NOT NULL,
    full_name    text         NOT NULL,
    email        varchar(100),
    address_id   integer      NOT NULL,
    is_active    boolean      NOT NULL,
    active_flag  boolean,
    created_on   date         NOT NULL,
    last_update  timestamptz,
    source       text         NOT NULL
);

-- rental is split vertically in two tables
CREATE TABLE shop.rentals (
    rental_id    bigint      PRIMARY KEY,
    rented_at    timestamptz NOT NULL,
    inventory_id integer     NOT NULL,
    customer_id  integer     NOT NULL,
    staff_id     integer     NOT NULL
);
CREATE TABLE shop.rental_returns (
    rental_id    bigint      PRIMARY KEY,
    returned_at  timestamptz,
    last_update  timestamptz NOT NULL
);

-- from the partitioned public.payment
CREATE TABLE shop.payments (
    payment_id   integer     NOT NULL,
    paid_at      timestamptz NOT NULL,
    customer_id  integer     NOT NULL,
    staff_id     integer     NOT NULL,
    rental_id    integer     NOT NULL,
    amount_cents bigint      NOT NULL,
    PRIMARY KEY (paid_at, payment_id)
);

CREATE TABLE shop.films (
    film_id              integer      PRIMARY KEY,
    title                varchar(255) NOT NULL,
    title_length         integer      NOT NULL,
    description          text,
    release_year         integer,
    language_id          integer      NOT NULL,
    original_language_id integer,
    rental_duration      integer      NOT NULL,
    rental_rate          numeric(6,2) NOT NULL,
    length               integer,
    replacement_cost     numeric(5,2) NOT NULL,
    rating               shop.mpaa_rating,
    last_update          timestamptz  NOT NULL,
    special_features     text[],
    fulltext             tsvector     NOT NULL
);
