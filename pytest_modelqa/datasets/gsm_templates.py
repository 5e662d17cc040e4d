"""GSM-Symbolic templates GS-01 and GS-02, and the names stories use; GS-03..GS-16 are in
gsm_templates_b.py, GS-17..GS-30 in gsm_templates_c.py (see gsm_symbolic.py for what a template returns).

Written for this project. Each draws its quantities, rejects draws that make a bad story,
and computes its answer with exact arithmetic (Fraction); tests/unit/test_gsm_symbolic.py
re-derives every answer another way over many seeds."""

from __future__ import annotations

import random
from fractions import Fraction as F

from .gsm_symbolic import Problem, Reject, Templates, money

template = Templates()

NAMES = ("Amara", "Bilal", "Chen", "Dagny", "Emeka", "Farida", "Goran", "Hana", "Ines", "Jonas", "Keiko",
         "Luca", "Mireille", "Nuno", "Oksana", "Priya", "Quentin", "Rosa", "Sefa", "Tomasz")


def names(rng: random.Random, n: int) -> list[str]:
    return rng.sample(NAMES, n)


@template("GS-01", "a bakery open some days a week: batches per day, flour per batch, a bag size that does not matter (rates)")
def bakery_flour(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    batches = rng.randint(3, 9)
    grams = rng.choice((250, 300, 350, 400, 450, 600))
    open_days = rng.randint(4, 6)
    bag_kg = rng.choice((5, 10, 25))
    total_g = batches * grams * open_days
    if total_g % 1000:
        raise Reject("the weekly flour should be whole kilograms")
    kg = total_g // 1000
    question = (f"{who} runs a small bakery that is open {open_days} days a week. On every day it is open, "
                f"{who} bakes {batches} batches of bread, and each batch uses {grams} grams of flour. Flour "
                f"is sold in {bag_kg}-kilogram bags. How many kilograms of flour does the bakery use in one week?")
    working = (f"Flour per day: {batches} x {grams} g = {batches * grams} g.",
               f"Per week: {batches * grams} g x {open_days} days = {total_g} g = {kg} kg.")
    traps = (("counted all seven days of the week", F(batches * grams * 7, 1000)),
             ("gave grams instead of kilograms", total_g),
             ("gave one day's flour", F(batches * grams, 1000)))
    return Problem(question, kg, working, traps, ("kilograms", "kilogram", "kg"),
                   {"batches": batches, "grams": grams, "open_days": open_days, "bag_kg": bag_kg})


@template("GS-02", "a jacket on sale, then sales tax, with a coupon that does not apply (percentages)")
def jacket_sale(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    price = rng.randrange(40, 200, 5)
    off = rng.choice((10, 15, 20, 25, 30, 40))
    tax = rng.choice((5, 6, 8, 10))
    coupon = rng.choice((5, 10, 15))
    threshold = rng.randrange(price + 50, price + 150, 10)
    sale = F(price) * (100 - off) / 100
    total = sale * (100 + tax) / 100
    if (total * 100).denominator != 1:
        raise Reject("the total must be whole cents")
    question = (f"{who} buys a jacket with a marked price of {money(price)}. The shop takes {off}% off the "
                f"marked price, and then {tax}% sales tax is added to the discounted price. {who} also has a "
                f"{money(coupon)} coupon, but it is only valid on purchases of {money(threshold)} or more. How "
                f"much does {who} pay for the jacket, in dollars?")
    working = (f"Discounted price: {money(price)} x {100 - off}% = {money(sale)}.",
               f"With {tax}% tax: {money(sale)} x {100 + tax}% = {money(total)}.",
               f"The purchase is under {money(threshold)}, so the coupon does not apply.")
    traps = (("used the coupon that does not apply", total - coupon),
             ("forgot the sales tax", sale),
             ("added the tax to the marked price, then took the discount off the marked price",
              F(price) * (100 + tax - off) / 100))
    return Problem(question, total, working, traps, ("dollars", "dollar", "$", "USD"),
                   {"price": price, "off": off, "tax": tax, "coupon": coupon, "threshold": threshold})
