"""GSM-Symbolic templates, part b: GS-03..GS-16 (see gsm_symbolic.py for what a template returns).

Written for this project, in the style of gsm_templates.py. Each draws its quantities, rejects
draws that make a bad story, and computes its answer with exact arithmetic (Fraction);
tests/unit/test_gsm_symbolic.py re-derives every answer another way over many seeds."""

from __future__ import annotations

import random
from fractions import Fraction as F

from .gsm_symbolic import Number, Problem, Reject, Templates, cents, finite, money, show, whole
from .gsm_templates import names

template = Templates()

DOLLARS = ("dollars", "dollar", "$", "USD")
MINUTES = ("minutes", "minute", "min")
ORDINAL = {4: "fourth", 5: "fifth", 6: "sixth"}


def slips(answer: Number, *pairs: tuple[str, Number]) -> tuple[tuple[str, Number], ...]:
    """The traps this draw can state: a slip whose value has no finite decimal form or is
    negative is left out. Reject unless at least two remain and, with the off-by-one slips the
    pack adds, at least three distinct wrong values exist (the pack needs five near misses)."""
    kept = tuple((why, F(v)) for why, v in pairs if finite(v) and F(v) >= 0)
    wrong = {v for _, v in kept} | {v for v in (F(answer) + 1, F(answer) - 1) if v >= 0}
    wrong.discard(F(answer))
    if len(kept) < 2 or len(wrong) < 3:
        raise Reject("too few distinct slips to state")
    return kept


def plural(n: Number, word: str, many: str | None = None) -> str:
    """'1 year', '3 years', '2.5 metres'."""
    return f"{show(n)} {word if n == 1 else (many or word + 's')}"


def finite_answer(x: Number, what: str = "answer") -> Number:
    if not finite(x):
        raise Reject(f"{what} {x} has no finite decimal form")
    return x


@template("GS-03", "a parent and two children: ages now from their sum and two age gaps, asked the parent's age "
                   "some years on, the dog's age beside the point (ages)")
def family_ages(rng: random.Random) -> Problem:
    parent, older, younger = names(rng, 3)
    young = rng.randint(2, 12)
    gap = rng.randint(2, 7)
    parent_gap = rng.randint(20, 38)  # the parent's age minus the older child's
    later = rng.randint(2, 15)
    dog = rng.randint(2, 14)
    old = young + gap
    now = old + parent_gap
    total = now + old + young
    answer = now + later
    question = (f"{parent} has two children, {older} and {younger}. Right now the ages of the three of them add up "
                f"to {total} years. {older} is {gap} years older than {younger}, and {parent} is {parent_gap} years "
                f"older than {older}. The family dog is {dog} years old. How old will {parent} be {later} years "
                f"from now, in years?")
    working = (f"Call {younger}'s age y: y + (y + {gap}) + (y + {gap} + {parent_gap}) = {total}, "
               f"so 3y = {total - 2 * gap - parent_gap} and y = {young}.",
               f"{older} is {young} + {gap} = {old}, and {parent} is {old} + {parent_gap} = {now} now.",
               f"In {later} years {parent} will be {now} + {later} = {answer}.")
    traps = slips(answer, ("gave the parent's age now", now),
                  ("gave the older child's age in those years", old + later),
                  ("added the years to the sum of the three ages", total + later))
    return Problem(question, answer, working, traps, ("years", "year", "years old"),
                   {"total": total, "gap": gap, "parent_gap": parent_gap, "later": later, "dog": dog})


@template("GS-04", "three friends share their car-wash earnings in a given ratio, asked one friend's share, the "
                   "number of cars beside the point (ratios)")
def ratio_share(rng: random.Random) -> Problem:
    people = names(rng, 3)
    parts = [rng.randint(2, 9) for _ in people]
    if len(set(parts)) < 3:
        raise Reject("three different parts make a clearer story")
    unit = rng.randrange(2, 41) * 5  # dollars per part
    cars = rng.randint(12, 40)
    asked = rng.randrange(3)
    who = people[asked]
    total = unit * sum(parts)
    share = unit * parts[asked]
    ratio = " : ".join(str(p) for p in parts)
    question = (f"{people[0]}, {people[1]} and {people[2]} wash {cars} cars on a Saturday and earn {money(total)} "
                f"altogether. They agree to share the money in the ratio {ratio}, for {people[0]}, {people[1]} and "
                f"{people[2]} in that order. How much money does {who} get, in dollars?")
    working = (f"Parts in all: {' + '.join(str(p) for p in parts)} = {sum(parts)}.",
               f"One part: {money(total)} / {sum(parts)} = {money(unit)}.",
               f"{who} gets {parts[asked]} parts: {parts[asked]} x {money(unit)} = {money(share)}, that is {show(share)} dollars.")
    traps = slips(share, ("gave the value of one part", unit),
                  ("gave what the other two get together", total - share),
                  ("split the money equally", F(total, 3)))
    return Problem(question, share, working, traps, DOLLARS,
                   {"total": total, "parts": tuple(parts), "asked": asked, "cars": cars})


TOWNS = ("Ashford", "Brackley", "Carlow", "Dunmore", "Elmsworth", "Fenwick", "Glenrock", "Harlow", "Ivybridge",
         "Kingsmoor", "Larkhill", "Millbrook")
QUARTERS = ((15, "a quarter of an hour"), (30, "half an hour"), (45, "three quarters of an hour"),
            (90, "an hour and a half"))


@template("GS-05", "a bus journey from a morning departure time over three legs and a stop, asked the minutes after "
                   "noon it arrives or the journey's minutes (time)")
def bus_journey(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    start, first, second, end = rng.sample(TOWNS, 4)
    depart = rng.randrange(9 * 60, 12 * 60, 5)  # minutes after midnight, in the morning
    leg1 = rng.randrange(65, 120, 5)  # written as 1 hour and some minutes
    stop = rng.randrange(10, 35, 5)
    leg2 = rng.randrange(20, 60, 5)
    leg3, leg3_words = rng.choice(QUARTERS)
    kind = rng.choice(("noon", "total"))
    total = leg1 + stop + leg2 + leg3
    arrive = depart + total
    h, m = divmod(depart, 60)
    story = (f"{who} catches a bus that leaves {start} at {h}:{m:02d} in the morning. The bus drives for 1 hour and "
             f"{leg1 - 60} minutes to {first}, where it waits for {stop} minutes. Then it drives {leg2} minutes to "
             f"{second}, and the last stretch, with no more stops, takes {leg3_words} to reach {end}.")
    steps = [f"Driving and waiting: {leg1} + {stop} + {leg2} + {leg3} = {total} minutes."]
    if kind == "noon":
        answer = arrive - 12 * 60
        if answer <= 0:
            raise Reject("the bus must arrive after noon")
        ah, am = divmod(arrive, 60)
        question = story + f" How many minutes after 12 noon does the bus reach {end}?"
        steps += [f"It arrives {total} minutes after {h}:{m:02d}, at {ah - 12}:{am:02d} in the afternoon.",
                  f"That is {answer} minutes after noon."]
        traps = slips(answer, ("left out the wait", answer - stop), ("left out the last leg", answer - leg3),
                      ("gave the length of the journey, not the time after noon", total))
    else:
        answer = total
        question = story + f" How many minutes does the whole journey from {start} to {end} take?"
        steps += [f"The journey takes {answer} minutes."]
        traps = slips(answer, ("left out the wait", total - stop), ("left out the last leg", total - leg3),
                      ("read 1 hour and some minutes as 100 plus the minutes", total + 40))
    return Problem(question, answer, tuple(steps), traps, MINUTES,
                   {"kind": kind, "depart": depart, "legs": (leg1, leg2, leg3), "stop": stop})


@template("GS-06", "mixing two juices with different sugar per 100 millilitres, asked the sugar in grams or per 100 "
                   "millilitres of the mix, the carton size beside the point (mixtures)")
def juice_mix(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    sweet = rng.choice(("apple", "grape", "pineapple", "mango"))
    other = rng.choice(("orange", "cranberry", "carrot", "grapefruit"))
    a = rng.randint(9, 14)  # grams of sugar per 100 mL
    b = rng.randint(2, 8)
    v1, v2 = rng.sample(range(150, 901, 50), 2)
    carton = rng.choice((1, 2))
    kind = rng.choice(("grams", "per100"))
    sugar = F(a * v1 + b * v2, 100)
    per100 = sugar * 100 / (v1 + v2)
    carton_sugar = F(a * carton * 1000 + b * v2, 100)  # the whole carton counted
    story = (f"{sweet.capitalize()} juice has {a} grams of sugar in every 100 millilitres, and {other} juice has "
             f"{b} grams of sugar in every 100 millilitres. {who} pours {v1} millilitres of {sweet} juice from a "
             f"{carton}-litre carton into a jug, then adds {v2} millilitres of {other} juice and stirs.")
    steps = [f"Sugar from the {sweet} juice: {v1} / 100 x {a} = {show(F(a * v1, 100))} g.",
             f"Sugar from the {other} juice: {v2} / 100 x {b} = {show(F(b * v2, 100))} g."]
    if kind == "grams":
        answer = sugar
        question = story + " How many grams of sugar are in the jug?"
        steps += [f"Together: {show(F(a * v1, 100))} + {show(F(b * v2, 100))} = {show(sugar)} grams."]
        traps = slips(answer, ("counted only the first juice", F(a * v1, 100)),
                      ("averaged the two sugar contents over the whole volume", F(a + b, 2) * (v1 + v2) / 100),
                      ("counted the whole carton of the first juice", carton_sugar))
    else:
        answer = finite_answer(per100)
        question = story + " How many grams of sugar are in each 100 millilitres of the mixture?"
        steps += [f"In all {show(sugar)} g of sugar in {v1 + v2} mL.",
                  f"Per 100 mL: {show(sugar)} / {v1 + v2} x 100 = {show(answer)} grams."]
        traps = slips(answer, ("averaged the two sugar contents without weighting by volume", F(a + b, 2)),
                      ("gave the total sugar in the jug", sugar),
                      ("gave the sugar per millilitre", sugar / (v1 + v2)),
                      ("counted the whole carton of the first juice", carton_sugar * 100 / (carton * 1000 + v2)))
    return Problem(question, answer, tuple(steps), traps, ("grams", "gram", "g"),
                   {"kind": kind, "a": a, "b": b, "v1": v1, "v2": v2, "carton": carton})


@template("GS-07", "fencing a rectangular garden whose length is given from its width, leaving a gap for a gate, "
                   "the rose bushes beside the point (geometry in words)")
def garden_fence(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    width = rng.randint(4, 20)
    relation = rng.choice(("times", "more", "twice-less"))
    if relation == "times":
        k = rng.randint(2, 4)
        length = k * width
        said = f"{('twice', 'three times', 'four times')[k - 2]} its width"
    elif relation == "more":
        k = rng.randint(3, 15)
        length = width + k
        said = f"{k} metres more than its width"
    else:
        k = rng.randint(1, width - 1)
        length = 2 * width - k
        said = f"{plural(k, 'metre')} less than twice its width"
    gate = rng.choice((1, F(3, 2), 2, F(5, 2), 3))
    roses = rng.randint(5, 30)
    perimeter = 2 * (length + width)
    answer = perimeter - gate
    question = (f"{who} has a rectangular garden that is {width} metres wide. Its length is {said}. There are "
                f"{roses} rose bushes in the garden. {who} wants to put a fence along all four sides, leaving a "
                f"gap of {plural(gate, 'metre')} for a gate. How many metres of fencing does {who} need?")
    working = (f"Length: {said} = {length} m.",
               f"Perimeter: 2 x ({length} + {width}) = {perimeter} m.",
               f"Leaving out the gate: {perimeter} - {show(gate)} = {show(answer)} metres.")
    traps = slips(answer, ("forgot the gap for the gate", perimeter),
                  ("went around only two sides", length + width - gate),
                  ("gave the garden's area", length * width),
                  ("added the gate instead of leaving it out", perimeter + gate))
    return Problem(question, answer, working, traps, ("metres", "metre", "meters", "meter", "m"),
                   {"width": width, "relation": relation, "k": k, "gate": gate, "roses": roses})


INGREDIENTS = {
    "flour": ("grams", "kilograms", (40, 45, 50, 60, 75, 80, 90, 120), ("kilograms", "kilogram", "kg")),
    "milk": ("millilitres", "litres", (25, 30, 40, 50, 60, 75, 100, 125), ("litres", "litre", "liters", "liter", "L")),
}


@template("GS-08", "a recipe for a few people scaled up for more guests, grams to kilograms or millilitres to litres, "
                   "the oven setting beside the point (unit conversion)")
def scaled_recipe(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    food = rng.choice(("pancakes", "bread rolls", "muffins", "crepes"))
    ingredient = rng.choice(sorted(INGREDIENTS))
    small, big, per_choices, units = INGREDIENTS[ingredient]
    per = rng.choice(per_choices)
    serves = rng.randint(4, 8)
    guests = rng.randint(serves + 2, 40)
    amount = per * serves  # in the recipe, in the small unit
    oven = rng.choice((180, 190, 200, 220))
    minutes = rng.randrange(15, 45, 5)
    need = per * guests
    answer = F(need, 1000)
    question = (f"{who}'s recipe for {food} serves {serves} people and uses {amount} {small} of {ingredient}. "
                f"The recipe says to bake them at {oven} degrees for {minutes} minutes. {who} is making {food} "
                f"for {guests} people and scales the recipe to match. How many {big} of {ingredient} does "
                f"{who} need?")
    working = (f"{ingredient.capitalize()} per person: {amount} / {serves} = {per} {small}.",
               f"For {guests} people: {guests} x {per} = {need} {small}.",
               f"{need} {small} = {show(answer)} {big}.")
    traps = slips(answer, (f"did not convert {small} to {big}", need),
                  ("gave the amount in the original recipe", F(amount, 1000)),
                  ("scaled for the extra people only", F(per * (guests - serves), 1000)))
    return Problem(question, answer, working, traps, units,
                   {"ingredient": ingredient, "amount": amount, "serves": serves, "guests": guests,
                    "oven": oven, "minutes": minutes})


@template("GS-09", "two taps fill an empty tank at different rates while a drain lets water out, asked the minutes "
                   "to fill it (rates)")
def taps_and_drain(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    a = rng.randint(4, 15)  # litres a minute
    every = rng.choice((2, 3, 4, 5))
    b = rng.randint(2, 12)  # litres a minute, stated per `every` minutes
    b_total = b * every
    drain = rng.randint(1, a + b - 2)
    net = a + b - drain
    minutes = F(rng.randint(16, 120), 2)  # the answer, drawn so the tank is a sensible size
    capacity = net * minutes
    if capacity.denominator != 1 or not 100 <= capacity <= 2000:
        raise Reject("the tank should hold a whole number of litres, 100 to 2000")
    capacity = whole(capacity, "litres")
    question = (f"{who} fills an empty tank that holds {capacity} litres. Tap A pours in {a} litres every minute, "
                f"and tap B pours in {b_total} litres every {every} minutes. At the same time a drain lets "
                f"{plural(drain, 'litre')} out every minute. Both taps and the drain are open from the start. How "
                f"many minutes does it take to fill the tank?")
    working = (f"Tap B: {b_total} / {every} = {b} litres a minute.",
               f"Net: {a} + {b} - {drain} = {net} litres a minute.",
               f"Time: {capacity} / {net} = {show(minutes)} minutes.")
    traps = slips(minutes, ("ignored the drain", F(capacity, a + b)),
                  (f"took tap B's {b_total} litres as a minute's flow", F(capacity, a + b_total - drain)),
                  ("gave the net litres per minute", net))
    return Problem(question, minutes, working, traps, MINUTES,
                   {"capacity": capacity, "a": a, "b_total": b_total, "every": every, "drain": drain})


@template("GS-10", "simple interest on savings over whole years with a second deposit partway through, asked the "
                   "balance at the end (percentages)")
def simple_interest(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    first = rng.randrange(500, 5001, 100)
    rate = rng.choice((2, 3, 4, 5, 6, F(5, 2), F(7, 2)))
    second = rng.randrange(200, 3001, 100)
    years = rng.randint(3, 8)
    after = rng.randint(1, years - 1)
    interest1 = F(first) * rate * years / 100
    interest2 = F(second) * rate * (years - after) / 100
    answer = cents(first + second + interest1 + interest2)
    question = (f"{who} opens a savings account with {money(first)}. The account pays simple interest of "
                f"{show(rate)}% a year: each full year, every deposit earns {show(rate)}% of its own amount, and "
                f"interest never earns interest. Exactly {plural(after, 'year')} after opening the account, {who} "
                f"deposits another {money(second)}. Nothing is taken out. How much money is in the account "
                f"{years} years after it was opened, including all the interest, in dollars?")
    working = (f"Interest on the first deposit: {money(first)} x {show(rate)}% x {years} = {money(interest1)}.",
               f"Interest on the second deposit: {money(second)} x {show(rate)}% x {years - after} = {money(interest2)}.",
               f"Balance: {money(first)} + {money(second)} + {money(interest1)} + {money(interest2)} = {money(answer)}, "
               f"that is {show(answer)} dollars.")
    traps = slips(answer, ("gave the interest only", interest1 + interest2),
                  ("paid interest on the second deposit for all the years", first + second + (first + second) * rate * years / 100),
                  ("left out the second deposit's interest", first + second + interest1))
    return Problem(question, answer, working, traps, DOLLARS,
                   {"first": first, "rate": rate, "second": second, "years": years, "after": after})


@template("GS-11", "a shop raises a price by one percent and later lowers the new price by another, asked the final "
                   "price, the units sold beside the point (percentages)")
def up_then_down(rng: random.Random) -> Problem:
    item = rng.choice(("bicycle", "lamp", "winter coat", "guitar", "tablet", "pair of boots", "desk chair"))
    price = rng.randrange(20, 401, 4)
    up = rng.choice((5, 10, 15, 20, 25, 30, 40, 50))
    down = rng.choice((5, 10, 15, 20, 25, 30, 40, 50))
    sold = rng.randint(6, 40)
    raised = F(price) * (100 + up) / 100
    answer = cents(raised * (100 - down) / 100)
    cents(raised)
    question = (f"A shop sells a {item} for {money(price)}. In March the shop raises the price by {up}%, and at "
                f"the new price it sells {sold} of them that month. In April the shop lowers the March price by "
                f"{down}%. What does the {item} cost after the April change, in dollars?")
    working = (f"March price: {money(price)} x {100 + up}% = {money(raised)}.",
               f"April price: {money(raised)} x {100 - down}% = {money(answer)}, that is {show(answer)} dollars.")
    traps = slips(answer, (f"used the net change of {up - down}%", F(price) * (100 + up - down) / 100),
                  ("stopped after the March rise", raised),
                  ("took the April cut off the original price", F(price) * (100 - down) / 100))
    return Problem(question, answer, working, traps, DOLLARS,
                   {"price": price, "up": up, "down": down, "sold": sold})


@template("GS-12", "test scores so far and a target average, asked the score needed on the last test, the class size "
                   "beside the point (averages)")
def needed_score(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    done = rng.randint(3, 5)
    scores = [rng.randint(60, 98) for _ in range(done)]
    target = rng.randint(70, 92)
    pupils = rng.randint(18, 32)
    tests = done + 1
    answer = target * tests - sum(scores)
    if not 0 < answer <= 100:
        raise Reject("the needed score must be possible out of 100")
    listed = ", ".join(str(s) for s in scores[:-1]) + f" and {scores[-1]}"
    question = (f"{who} is in a class of {pupils} pupils. This term {who} has taken {done} maths tests, scoring "
                f"{listed} points. Every test is marked out of 100 points, and there is one test left. How many "
                f"points does {who} need on the {ORDINAL[tests]} and last test for the average of all {tests} "
                f"tests to be exactly {target} points?")
    working = (f"An average of {target} over {tests} tests is {target} x {tests} = {target * tests} points.",
               f"Points so far: {' + '.join(str(s) for s in scores)} = {sum(scores)}.",
               f"Needed: {target * tests} - {sum(scores)} = {answer} points.")
    traps = slips(answer, ("gave the target average itself", target),
                  ("counted only the tests already taken", target * done - sum(scores)),
                  ("gave the total points needed over all the tests", target * tests))
    return Problem(question, answer, working, traps, ("points", "point"),
                   {"scores": tuple(scores), "target": target, "pupils": pupils})


SPEEDS = (12, 15, 18, 20, 24, 30)


@template("GS-13", "a cyclist rides two stretches at different speeds with a rest between, asked the average speed "
                   "or the total minutes, the bike's weight beside the point (rates)")
def cycle_trip(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    s1, s2 = rng.sample(SPEEDS, 2)
    d1 = rng.randint(6, 40)
    d2 = rng.randint(5, 40)
    rest = rng.randrange(10, 50, 5)
    bike = rng.randint(8, 15)
    kind = rng.choice(("time", "speed"))
    t1 = F(60 * d1, s1)
    t2 = F(60 * d2, s2)
    if t1.denominator != 1 or t2.denominator != 1:
        raise Reject("each stretch should take whole minutes")
    riding = t1 + t2
    total = riding + rest
    story = (f"{who} rides a bike that weighs {bike} kilograms. {who} rides {d1} kilometres at a steady {s1} "
             f"kilometres per hour, stops to rest for {rest} minutes, then rides {d2} kilometres more at {s2} "
             f"kilometres per hour.")
    steps = [f"First stretch: {d1} km at {s1} km/h takes {d1} / {s1} x 60 = {t1} minutes.",
             f"Second stretch: {d2} km at {s2} km/h takes {d2} / {s2} x 60 = {t2} minutes."]
    if kind == "time":
        answer = total
        question = story + " How many minutes does the whole trip take, including the rest?"
        steps += [f"With the rest: {t1} + {t2} + {rest} = {total} minutes."]
        traps = slips(answer, ("left out the rest", riding),
                      ("used the average of the two speeds", F(60 * (d1 + d2) * 2, s1 + s2) + rest),
                      ("gave the time in hours", total / 60))
        units = MINUTES
    else:
        answer = finite_answer(F(60 * (d1 + d2), total), "average speed")
        question = (story + " What is the average speed for the whole trip, counting the rest as part of the trip "
                    "time, in kilometres per hour?")
        steps += [f"Whole trip: {d1 + d2} km in {t1} + {t2} + {rest} = {total} minutes.",
                  f"Average speed: {d1 + d2} / {total} x 60 = {show(answer)} kilometres per hour."]
        traps = slips(answer, ("averaged the two speeds", F(s1 + s2, 2)),
                      ("left the rest out of the time", F(60 * (d1 + d2), riding)),
                      ("gave the total minutes", total))
        units = ("kilometres per hour", "kilometers per hour", "km/h", "kph")
    return Problem(question, answer, tuple(steps), traps, units,
                   {"kind": kind, "d1": d1, "s1": s1, "d2": d2, "s2": s2, "rest": rest, "bike": bike})


GOODS = (("pen", "pens", (80, 250)), ("notebook", "notebooks", (150, 450)), ("marker", "markers", (90, 300)),
         ("glue stick", "glue sticks", (60, 220)), ("folder", "folders", (120, 380)), ("eraser", "erasers", (40, 150)))
BIG = (("stapler", (450, 900)), ("pencil case", (350, 800)), ("calculator", (700, 1500)), ("desk lamp", (900, 1800)))
BILLS = (10, 20, 50, 100)


@template("GS-14", "buying several school supplies and paying with a bill, asked the change, an item looked at but "
                   "not bought (money)")
def shop_change(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    (one, ones, r1), (two, twos, r2) = rng.sample(GOODS, 2)
    (big, rb), (skipped, rs) = rng.sample(BIG, 2)
    q1, q2 = rng.randint(2, 6), rng.randint(2, 5)
    c1, c2 = rng.randrange(r1[0], r1[1], 5), rng.randrange(r2[0], r2[1], 5)
    c3, c4 = rng.randrange(rb[0], rb[1], 5), rng.randrange(rs[0] // 100, rs[1] // 100) * 100 + 99  # a price like $9.99
    cost = F(q1 * c1 + q2 * c2 + c3, 100)
    bill = next((b for b in BILLS if b > cost), None)
    if bill is None:
        raise Reject("the bill should be one note")
    answer = cents(bill - cost)
    p1, p2, p3, p4 = (F(c, 100) for c in (c1, c2, c3, c4))
    question = (f"{who} buys {q1} {ones} at {money(p1)} each, {q2} {twos} at {money(p2)} each and one {big} for "
                f"{money(p3)}. {who} also looks at a {skipped} for {money(p4)} but does not buy it. {who} pays "
                f"with a single {money(bill)} bill. How much change should {who} get, in dollars?")
    working = (f"{ones.capitalize()}: {q1} x {money(p1)} = {money(q1 * p1)}; {twos}: {q2} x {money(p2)} = {money(q2 * p2)}.",
               f"Total: {money(q1 * p1)} + {money(q2 * p2)} + {money(p3)} = {money(cost)}.",
               f"Change: {money(bill)} - {money(cost)} = {money(answer)}, that is {show(answer)} dollars.")
    traps = slips(answer, ("gave the total cost, not the change", cost),
                  ("paid for one of each item", bill - p1 - p2 - p3),
                  (f"counted the {skipped} that was not bought", bill - cost - p4))
    return Problem(question, answer, working, traps, DOLLARS,
                   {"q": (q1, q2), "prices_cents": (c1, c2, c3), "skipped_cents": c4, "bill": bill})


TILES_CM = (20, 25, 30, 40, 50, 60)


@template("GS-15", "tiling a rectangular floor with square tiles sold in full boxes, asked the boxes to buy, "
                   "rounding up (geometry in words)")
def floor_tiles(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    side = rng.choice(TILES_CM)
    lo, hi = -(-250 // side), 800 // side
    across, along = sorted(rng.sample(range(lo, hi + 1), 2))  # tiles along the width and the length
    per_box = rng.choice((6, 8, 10, 12, 15, 20, 25))
    length, width = F(along * side, 100), F(across * side, 100)
    tiles = along * across
    boxes = -(-tiles // per_box)
    question = (f"{who} is tiling the floor of a rectangular room that is {show(length)} metres long and "
                f"{show(width)} metres wide, using square tiles {side} centimetres on each side. The tiles fit the "
                f"floor exactly, with no gaps and no cutting. The tiles are sold only in full boxes of {per_box}. "
                f"How many boxes must {who} buy to cover the whole floor?")
    working = (f"Tiles along the length: {along * side} cm / {side} cm = {along}; along the width: {across * side} cm / {side} cm = {across}.",
               f"Tiles needed: {along} x {across} = {tiles}.",
               f"Boxes: {tiles} / {per_box} rounded up to a whole box = {boxes}.")
    traps = slips(boxes, ("rounded down to full boxes", tiles // per_box),
                  ("gave the number of tiles, not boxes", tiles))
    return Problem(question, boxes, working, traps, ("boxes", "box"),
                   {"length_m": length, "width_m": width, "side_cm": side, "per_box": per_box})


@template("GS-16", "saving a fixed part of weekly pocket money on top of a starting amount toward a bike and a "
                   "helmet, asked the whole weeks needed, rounding up (multi-step with a distractor clause)")
def weekly_savings(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    bike = rng.randrange(120, 400, 5)
    helmet = rng.randrange(15, 60, 5)
    start = rng.randrange(10, 151, 5)
    save = rng.randrange(5, 41, 5)
    pocket = save + rng.randrange(5, 25, 5)
    goal = bike + helmet
    short = goal - start
    if short <= 0:
        raise Reject("the savings should not already cover the goal")
    weeks = -(-short // save)
    if weeks > 60:
        raise Reject("more than a year of saving is a dull story")
    question = (f"{who} wants to buy a bike that costs {money(bike)} and a helmet that costs {money(helmet)}, and "
                f"already has {money(start)} saved. Every week {who} gets {money(pocket)} of pocket money and puts "
                f"{money(save)} of it into savings at the end of the week. After what smallest whole number of "
                f"weeks will {who} have enough saved to buy both?")
    working = (f"Goal: {money(bike)} + {money(helmet)} = {money(goal)}; still needed: {money(goal)} - {money(start)} = {money(short)}.",
               f"After {plural(weeks - 1, 'week')} {who} has saved {money((weeks - 1) * save)} more, not enough; after "
               f"{weeks} weeks, {money(weeks * save)}.",
               f"So {who} needs {money(short)} / {money(save)} a week, rounded up: {weeks} weeks.")
    traps = slips(weeks, ("rounded down", short // save),
                  ("saved the whole pocket money", -(-short // pocket)),
                  ("forgot the money already saved", -(-goal // save)),
                  ("forgot the helmet", max(0, -(-(bike - start) // save))))
    return Problem(question, weeks, working, traps, ("weeks", "week"),
                   {"bike": bike, "helmet": helmet, "start": start, "save": save, "pocket": pocket})
