"""GSM-Symbolic templates, part c: GS-17..GS-30 (see gsm_symbolic.py for what a template returns).

Written for this project, in the style of gsm_templates.py. Each draws its quantities (by
construction where it can), rejects draws that make a bad story, and computes its answer with
exact arithmetic (Fraction); tests/unit/test_gsm_symbolic.py re-derives every answer another way."""

from __future__ import annotations

import math
import random
from fractions import Fraction as F

from .gsm_symbolic import Number, Problem, Reject, Templates, cents, finite, money, show, whole
from .gsm_templates import names

template = Templates()

DOLLARS = ("dollars", "dollar", "$", "USD")
TIMES = {2: "twice", 3: "three times", 4: "four times"}


def _cash(x: Number, symbol: str = "$") -> str:
    """Money in the working: $3.60, $1234.50, $12 (no thousands separators, so the value
    show() writes is part of it)."""
    x = cents(x)
    return f"{symbol}{show(x)}" if x.denominator == 1 else f"{symbol}{float(x):.2f}"


def _traps(answer: Number, *slips: tuple[str, Number]) -> tuple[tuple[str, Number], ...]:
    """The slips that give a wrong, positive value a reply can state exactly; Reject unless two remain
    (a slip that happens to give the right answer on this draw is no trap)."""
    kept = []
    for why, value in slips:
        value = F(value)
        if value > 0 and value != F(answer) and finite(value) and value not in [v for _, v in kept]:
            kept.append((why, value))
    if len(kept) < 2:
        raise Reject("fewer than two traps differ from the answer")
    return tuple(kept[:4])


def _kilograms(x: Number) -> str:
    return f"{show(x)} kilogram{'' if x == 1 else 's'}"


def _clock(minutes: int) -> str:
    """A 24-hour clock time, 07:05, from minutes after midnight of the same day."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@template("GS-17", "a parent and a child: in how many years the parent will be exactly k times the child's age, a sibling's age that does not matter (ages)")
def parent_times_child(rng: random.Random) -> Problem:
    parent, child, sibling = names(rng, 3)
    k = rng.choice((2, 3, 4))
    child_then = rng.randint(*{2: (24, 36), 3: (12, 22), 4: (8, 15)}[k])  # the child's age when it happens
    years = rng.randint(1, 15)
    child_now = child_then - years
    parent_now = k * child_then - years
    if child_now < 2 or not 24 <= parent_now - child_now <= 45 or parent_now > 70:
        raise Reject("ages that make a bad family")
    sibling_age = rng.randint(1, 2 * child_now + 3)
    if sibling_age == child_now:
        sibling_age += 1
    n = F(parent_now - k * child_now, k - 1)
    question = (f"{parent} is {parent_now} years old, and {parent}'s child {child} is {child_now} years old. "
                f"{child}'s cousin {sibling} is {sibling_age}. In how many years from now will {parent} be exactly "
                f"{TIMES[k]} as old as {child}?")
    working = (f"In n years {parent} is {parent_now} + n and {child} is {child_now} + n, so "
               f"{parent_now} + n = {k} x ({child_now} + n).",
               f"So {parent_now} - {k * child_now} = {k - 1} x n." if k > 2 else
               f"So n = {parent_now} - {k * child_now}.",
               f"n = {parent_now - k * child_now} / {k - 1} = {show(n)} years." if k > 2 else f"n = {show(n)} years.")
    traps = _traps(n, ("gave the child's age at that time", child_now + n),
                   ("gave the parent's age at that time", parent_now + n),
                   ("forgot to divide by k - 1", parent_now - k * child_now),
                   ("used the cousin's age instead of the child's", F(parent_now - k * sibling_age, k - 1)))
    return Problem(question, whole(n, "years"), working, traps, ("years", "year"),
                   {"k": k, "parent_now": parent_now, "child_now": child_now, "sibling_age": sibling_age})


@template("GS-18", "painting the walls of a room minus a door and windows, two coats, paint coverage per litre, whole cans of a size, a can price that does not matter (geometry in words)")
def paint_cans(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    length = rng.randint(3, 7)
    width = rng.randint(3, 6)
    height = F(rng.choice((24, 25, 26, 27, 28, 30)), 10)
    door = F(rng.choice((16, 18, 20, 21)), 10)
    windows = rng.randint(1, 3)
    window = F(rng.choice((10, 12, 15, 20)), 10)
    coats = 2
    per_litre = rng.choice((5, 8, 10))  # square metres one litre covers, one coat
    can = F(rng.choice((10, 20, 25, 40, 50)), 10)
    can_price = rng.choice((18, 22, 25, 29, 34))
    walls = 2 * (length + width) * height
    area = walls - door - windows * window
    litres = area * coats / per_litre
    cans = math.ceil(litres / can)
    question = (f"{who} is painting the four walls of a room that is {length} metres long, {width} metres wide and "
                f"{show(height)} metres high. The door takes up {show(door)} square metres and each of the {windows} "
                f"window{'s' if windows > 1 else ''} takes up {show(window)} square metres; these are not painted. "
                f"The walls get {coats} coats of paint, and one litre of paint covers {per_litre} square metres "
                f"with one coat. The paint comes only in {show(can)}-litre cans, which cost {money(can_price)} each. "
                f"What is the smallest number of whole cans {who} must buy?")
    working = (f"Walls: 2 x ({length} + {width}) x {show(height)} = {show(walls)} m^2.",
               f"Minus the door and windows: {show(walls)} - {show(door)} - {windows} x {show(window)} = {show(area)} m^2.",
               f"Paint: {show(area)} x {coats} coats / {per_litre} m^2 per litre = {show(litres)} litres.",
               f"Cans: {show(litres)} / {show(can)} rounded up = {cans}.")
    traps = _traps(cans, ("gave litres of paint, not cans", litres),
                   ("rounded the cans down", litres // can),
                   ("painted only one coat", math.ceil(litres / 2 / can)),
                   ("did not take off the door and windows", math.ceil(walls * coats / per_litre / can)))
    return Problem(question, cans, working, traps, ("cans", "can"),
                   {"length": length, "width": width, "height": height, "door": door, "windows": windows,
                    "window": window, "coats": coats, "per_litre": per_litre, "can": can, "can_price": can_price})


@template("GS-19", "a round trip by car: fuel use in litres per 100 km, the fuel price per litre, a driving time that does not matter (unit conversion)")
def car_fuel(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    rate = F(rng.randrange(10, 20), 2)  # litres per 100 km: 5 to 9.5
    one_way = rng.randrange(40, 460, 10)
    price = F(rng.randrange(12, 23), 10)  # dollars per litre
    hours = rng.randint(1, 5)
    km = 2 * one_way
    litres = F(km, 100) * rate
    cost = cents(litres * price)
    question = (f"{who}'s car uses {show(rate)} litres of fuel per 100 kilometres. {who} drives to a town "
                f"{one_way} kilometres away and back again by the same road; each way takes about {hours} "
                f"hour{'s' if hours > 1 else ''}. Fuel costs {money(price)} per litre. How much does the fuel for "
                f"the whole trip cost, in dollars?")
    working = (f"Distance: 2 x {one_way} km = {km} km.",
               f"Fuel: {km} / 100 x {show(rate)} litres = {show(litres)} litres.",
               f"Cost: {show(litres)} x {_cash(price)} = {_cash(cost)}.")
    traps = _traps(cost, ("counted only one way", cost / 2),
                   ("gave the litres of fuel, not the cost", litres),
                   ("treated the rate as litres per 10 km", cost * 10))
    return Problem(question, cost, working, traps, DOLLARS,
                   {"rate": rate, "one_way": one_way, "price": price, "hours": hours})


@template("GS-20", "two pack sizes of batteries at different prices: the saving from buying a quantity in the size that is cheaper per battery (money)")
def pack_sizes(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    small, big = sorted(rng.sample((4, 6, 8, 10, 12, 16, 20, 24), 2))
    lcm = small * big // math.gcd(small, big)
    need = lcm * rng.randint(1, max(1, 120 // lcm))
    small_price = F(rng.randrange(small * 40, small * 110, 5), 100)  # 40c to $1.10 a battery
    big_price = F(rng.randrange(big * 30, big * 100, 5), 100)
    small_cost = need // small * small_price
    big_cost = need // big * big_price
    if abs(small_cost - big_cost) < 1:
        raise Reject("a tie, or a saving of cents that no one would work out")
    saving = abs(small_cost - big_cost)
    cheaper = f"the {big}-packs" if big_cost < small_cost else f"the {small}-packs"
    question = (f"A shop sells batteries in packs of {small} for {money(small_price)} and in packs of {big} for "
                f"{money(big_price)}. {who} needs exactly {need} batteries and will buy them all in one pack size. "
                f"How much does {who} save by choosing the size that is cheaper per battery instead of the other "
                f"size, in dollars?")
    working = (f"Packs of {small}: {need} / {small} = {need // small} packs x {_cash(small_price)} = {_cash(small_cost)}.",
               f"Packs of {big}: {need} / {big} = {need // big} packs x {_cash(big_price)} = {_cash(big_cost)}.",
               f"{cheaper.capitalize()} are cheaper; the saving is {_cash(max(small_cost, big_cost))} - "
               f"{_cash(min(small_cost, big_cost))} = {_cash(saving)}.")
    traps = _traps(saving, ("gave the cost of the cheaper choice", min(small_cost, big_cost)),
                   ("compared the price of one pack of each size", abs(small_price - big_price)),
                   ("gave the saving per battery", abs(small_price / small - big_price / big)))
    return Problem(question, saving, working, traps, DOLLARS,
                   {"small": small, "big": big, "need": need, "small_price": small_price, "big_price": big_price})


@template("GS-21", "a nut mix from two kinds of nuts priced per kilogram, sold at cost, a bag size that does not matter: the price per kilogram of the mix (mixtures)")
def nut_mix(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    first, second = rng.sample(("almonds", "cashews", "peanuts", "walnuts", "hazelnuts", "pecans"), 2)
    total = rng.choice((2, 4, 5, 8, 10))
    kg1 = F(rng.randint(1, 2 * total - 1), 2)
    kg2 = total - kg1
    if kg1 == kg2:
        raise Reject("equal amounts: the plain average would be right")
    p1, p2 = rng.sample(range(6, 31), 2)  # dollars per kilogram
    bag = rng.choice((200, 250, 400, 500))
    cost = kg1 * p1 + kg2 * p2
    per_kg = cents(cost / total)
    question = (f"{who} mixes {_kilograms(kg1)} of {first} costing {money(p1)} per kilogram with "
                f"{_kilograms(kg2)} of {second} costing {money(p2)} per kilogram, and packs the mix in {bag}-gram bags. "
                f"To sell the mix at exactly what the nuts cost, what price per kilogram should {who} charge, "
                f"in dollars?")
    working = (f"{first.capitalize()}: {show(kg1)} x {_cash(p1)} = {_cash(kg1 * p1)}; {second}: {show(kg2)} x "
               f"{_cash(p2)} = {_cash(kg2 * p2)}.",
               f"Total: {_cash(cost)} for {show(kg1)} + {show(kg2)} = {total} kg.",
               f"Per kilogram: {_cash(cost)} / {total} = {_cash(per_kg)}.")
    traps = _traps(per_kg, ("averaged the two prices", F(p1 + p2, 2)),
                   ("gave the total cost of the nuts", cost),
                   ("gave the price of one bag", per_kg * bag / 1000))
    return Problem(question, per_kg, working, traps, DOLLARS,
                   {"kg1": kg1, "kg2": kg2, "p1": p1, "p2": p2, "bag": bag})


@template("GS-22", "a week's pay: daily hours, time and a half or double pay beyond 40 hours, years at the job that do not matter (money)")
def overtime_pay(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    rate = F(rng.randrange(24, 61), 2)  # $12 to $30 an hour, in halves
    daily = rng.choice((8, 9, 10))
    days = 5
    saturday = rng.randint(2, 6)
    times, word = rng.choice(((F(3, 2), "one and a half times"), (F(2), "twice")))
    years = rng.randint(2, 12)
    hours = daily * days + saturday
    extra = hours - 40
    base = 40 * rate
    over = cents(extra * rate * times)
    pay = base + over
    question = (f"{who} has worked at a warehouse for {years} years and earns {money(rate)} an hour. This week "
                f"{who} worked {daily} hours on each of the {days} weekdays and {saturday} hours on Saturday. "
                f"Hours beyond 40 in a week are paid at {word} the normal hourly rate. How much does {who} earn "
                f"this week, in dollars?")
    working = (f"Hours: {daily} x {days} + {saturday} = {hours}, of which {extra} are beyond 40.",
               f"Normal pay: 40 x {_cash(rate)} = {_cash(base)}.",
               f"Overtime: {extra} x {_cash(rate)} x {show(times)} = {_cash(over)}.",
               f"Total: {_cash(base)} + {_cash(over)} = {_cash(pay)}.")
    traps = _traps(pay, ("paid every hour at the normal rate", hours * rate),
                   ("gave the overtime pay only", over),
                   ("paid every hour at the overtime rate", hours * rate * times),
                   ("left out Saturday", min(daily * days, 40) * rate + max(daily * days - 40, 0) * rate * times))
    return Problem(question, pay, working, traps, DOLLARS,
                   {"rate": rate, "daily": daily, "days": days, "saturday": saturday, "times": times,
                    "years": years})


@template("GS-23", "a flight's length from local departure and arrival times in time zones some hours apart, an airport wait that does not matter (time)")
def flight_time(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    depart = rng.randrange(5 * 60, 23 * 60, 5)
    length = rng.randrange(75, 15 * 60, 5)
    shift = rng.choice([z for z in range(-8, 10) if z])  # hours the arrival city is ahead
    wait = rng.choice((60, 90, 120, 150))
    arrive = depart + length + 60 * shift  # minutes after midnight of the departure day, arrival local time
    if not 0 <= arrive < 2 * 24 * 60:
        raise Reject("the arrival would be on the day before or two days later")
    day = "the same day" if arrive < 24 * 60 else "the next day"
    apart = f"{abs(shift)} hour{'s' if abs(shift) > 1 else ''} {'ahead' if shift > 0 else 'behind'}"
    way = f"{apart} of" if shift > 0 else apart
    question = (f"{who} gets to the airport {wait} minutes before a flight that leaves at {_clock(depart)} local "
                f"time. The plane lands at {_clock(arrive % (24 * 60))} local time on {day}. The city where it "
                f"lands is {way} the city it leaves from. How long is the flight, in minutes?")
    clock_gap = arrive - depart
    home = depart + length  # the landing, on the departure city's clock
    working = (f"The landing city is {apart}, so {_clock(arrive % (24 * 60))} "
               f"there is {_clock(home % (24 * 60))}{' the next day' if home >= 24 * 60 else ''} in the departure city.",
               f"From {_clock(depart)} to {_clock(home % (24 * 60))}{' the next day' if home >= 24 * 60 else ''} "
               f"is {length} minutes.")
    traps = _traps(length, ("ignored the time difference", clock_gap),
                   ("applied the time difference the wrong way", clock_gap + 60 * shift),
                   ("counted the wait at the airport in", length + wait))
    return Problem(question, length, working, traps, ("minutes", "minute", "min"),
                   {"depart": depart, "arrive_local": arrive % (24 * 60), "next_day": arrive >= 24 * 60,
                    "shift": shift, "wait": wait})


@template("GS-24", "a market stall's profit: items baked at a cost each, sold at a price, some left unsold, a stall fee (money)")
def stall_profit(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    item = rng.choice(("muffins", "jars of jam", "loaves of bread", "pies", "bags of cookies"))
    made = rng.randrange(30, 121, 5)
    unsold = rng.randint(2, made // 4)
    cost = F(rng.randrange(40, 301, 5), 100)
    price = cost + F(rng.randrange(100, 401, 25), 100)
    fee = rng.randrange(10, 61, 5)
    sold = made - unsold
    income = sold * price
    spent = made * cost
    profit = income - spent - fee
    if profit < 10:
        raise Reject("a loss, or a profit too small for a day at the market")
    question = (f"{who} makes {made} {item} for a market stall. Each costs {money(cost)} to make and sells for "
                f"{money(price)}. Renting the stall costs {money(fee)} for the day. At the end of the day "
                f"{unsold} of the {item} are left unsold. What is {who}'s profit for the day, in dollars?")
    working = (f"Sold: {made} - {unsold} = {sold}; income {sold} x {_cash(price)} = {_cash(income)}.",
               f"Costs: {made} x {_cash(cost)} = {_cash(spent)}, plus the {_cash(fee)} fee.",
               f"Profit: {_cash(income)} - {_cash(spent)} - {_cash(fee)} = {_cash(profit)}.")
    traps = _traps(profit, ("counted the unsold items as sold", made * (price - cost) - fee),
                   ("forgot the stall fee", profit + fee),
                   ("paid for making only the items sold", sold * (price - cost) - fee),
                   ("gave the income, not the profit", income))
    return Problem(question, profit, working, traps, DOLLARS,
                   {"made": made, "unsold": unsold, "cost": cost, "price": price, "fee": fee})


@template("GS-25", "a class whose students join a chess club and a drama club by fractions, some in both, a count of girls that does not matter: how many in neither (ratios)")
def clubs(rng: random.Random) -> Problem:
    (teacher,) = names(rng, 1)
    fractions = (F(1, 2), F(1, 3), F(2, 5), F(1, 4), F(3, 8), F(1, 5), F(3, 10), F(1, 6), F(2, 3), F(3, 5))
    fa, fb = rng.sample(fractions, 2)
    step = math.lcm(fa.denominator, fb.denominator)
    size = step * rng.randint(max(1, 18 // step + 1), 36 // step) if step <= 36 else 0
    if not size:
        raise Reject("no class size fits both fractions")
    a, b = whole(fa * size, "students"), whole(fb * size, "students")
    both = rng.randint(1, min(a, b) - 1) if min(a, b) > 1 else 0
    neither = size - (a + b - both)
    if not both or neither <= 0:
        raise Reject("no overlap, or no one left out")
    girls = rng.randint(size // 3, 2 * size // 3)

    def frac(x: F) -> str:
        return {F(1, 2): "one half", F(1, 3): "one third", F(2, 3): "two thirds", F(1, 4): "one quarter",
                F(1, 5): "one fifth", F(2, 5): "two fifths", F(3, 5): "three fifths", F(1, 6): "one sixth",
                F(3, 8): "three eighths", F(3, 10): "three tenths"}[x]

    question = (f"{teacher}'s class has {size} students, {girls} of them girls. {frac(fa).capitalize()} of the "
                f"students are in the chess club and {frac(fb)} of the students are in the drama club; {both} "
                f"students are in both clubs. How many students in the class are in neither club?")
    working = (f"Chess: {frac(fa)} of {size} = {a}; drama: {frac(fb)} of {size} = {b}.",
               f"In at least one club: {a} + {b} - {both} = {a + b - both}.",
               f"In neither: {size} - {a + b - both} = {neither}.")
    traps = _traps(neither, ("did not allow for the students in both clubs", size - a - b),
                   ("gave the number in at least one club", a + b - both),
                   ("took the students in both clubs off a second time", size - a - b - both))
    return Problem(question, neither, working, traps, ("students", "student"),
                   {"size": size, "fa": fa, "fb": fb, "both": both, "girls": girls})


@template("GS-26", "a square field and a rectangular field with the same perimeter, the rectangle's length given, a fence price that does not matter: the difference in area (geometry in words)")
def square_vs_rectangle(rng: random.Random) -> Problem:
    first, second = names(rng, 2)
    side = rng.randint(12, 90)
    length = rng.randint(side + 1, 2 * side - 10)
    width = 2 * side - length
    fence = rng.choice((4, 6, 8, 12, 15))
    square = side * side
    rect = length * width
    diff = square - rect
    question = (f"{first} has a square field with sides of {side} metres. {second} has a rectangular field "
                f"{length} metres long with exactly the same perimeter as {first}'s field. Fencing costs "
                f"{money(fence)} per metre. How much larger is the area of the square field than the area of the "
                f"rectangular field, in square metres?")
    working = (f"Perimeter: 4 x {side} = {4 * side} m, so the rectangle's width is {4 * side} / 2 - {length} = {width} m.",
               f"Areas: {side} x {side} = {square} m^2 and {length} x {width} = {rect} m^2.",
               f"Difference: {square} - {rect} = {diff} square metres.")
    traps = _traps(diff, ("gave the square's area", square),
                   ("gave the rectangle's area", rect),
                   ("took the width as half of the perimeter minus the length, counting the length once",
                    square - length * F(4 * side - length, 2)))
    return Problem(question, diff, working, traps, ("square metres", "square meters", "m^2", "m2", "m²"),
                   {"side": side, "length": length, "fence": fence})


@template("GS-27", "changing dollars into euros at a rate, with a percentage fee taken first, a trip length that does not matter (percentages)")
def currency_fee(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    amount = rng.randrange(100, 2001, 50)
    rate = F(rng.choice((85, 88, 90, 92, 94, 95, 96)), 100)  # euros per dollar
    fee = F(rng.choice((10, 15, 20, 25, 30, 40, 50)), 10)  # percent
    days = rng.randint(4, 21)
    kept = amount * (1 - fee / 100)
    euros = cents(kept * rate)
    question = (f"{who} is going on a {days}-day trip and changes {money(amount)} into euros. The exchange office "
                f"first takes a fee of {show(fee)}% of the dollars handed over, then changes the rest at 1 dollar = "
                f"{show(rate)} euros. How many euros does {who} receive?")
    working = (f"Fee: {show(fee)}% of {_cash(amount)} = {_cash(amount * fee / 100)}, leaving {_cash(kept)}.",
               f"Euros: {_cash(kept)} x {show(rate)} = {show(euros)} euros.")
    traps = _traps(euros, ("forgot the fee", amount * rate),
                   ("gave the fee", amount * fee / 100),
                   ("divided by the rate instead of multiplying", kept / rate),
                   ("gave the dollars left after the fee", kept))
    return Problem(question, euros, working, traps, ("euros", "euro", "€", "EUR"),
                   {"amount": amount, "rate": rate, "fee": fee, "days": days})


@template("GS-28", "a plant growing a fixed amount per week from a starting height, watered every few days: the weeks to reach a height or the height after some weeks (rates)")
def plant_growth(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    plant = rng.choice(("sunflower", "bean plant", "tomato plant", "young tree"))
    start = rng.randint(4, 30)
    grow = F(rng.randrange(3, 13), 2)  # cm per week, 1.5 to 6
    weeks = rng.randint(3, 16)
    water = rng.choice((2, 3, 4))
    ask = rng.choice(("weeks", "height"))
    end = start + grow * weeks
    story = (f"{who}'s {plant} is {start} centimetres tall and grows {show(grow)} centimetres every week. "
             f"{who} waters it every {water} days.")
    if ask == "weeks":
        question = f"{story} In how many weeks from now will it be exactly {show(end)} centimetres tall?"
        working = (f"It has to grow {show(end)} - {start} = {show(end - start)} cm.",
                   f"Weeks: {show(end - start)} / {show(grow)} = {weeks} weeks.")
        answer: Number = weeks
        traps = _traps(weeks, ("ignored the starting height", end / grow),
                       ("gave the centimetres still to grow", end - start),
                       ("counted the week it starts from as well", weeks + 1))
        units: tuple[str, ...] = ("weeks", "week")
    else:
        question = f"{story} How tall will it be after {weeks} weeks, in centimetres?"
        working = (f"Growth: {weeks} x {show(grow)} = {show(grow * weeks)} cm.",
                   f"Height: {start} + {show(grow * weeks)} = {show(end)} centimetres.")
        answer = end
        traps = _traps(end, ("gave the growth only, not the height", grow * weeks),
                       ("counted one week too few", end - grow),
                       ("counted waterings instead of weeks", start + grow * F(7 * weeks, water)))
        units = ("centimetres", "centimeters", "centimetre", "centimeter", "cm")
    return Problem(question, answer, working, traps, units,
                   {"ask": ask, "start": start, "grow": grow, "weeks": weeks, "water": water})


@template("GS-29", "diluting a cleaning solution with water from one percentage of vinegar to a lower one: the litres of water to add (mixtures)")
def dilution(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    strong = rng.choice((20, 24, 25, 30, 36, 40, 45, 50, 60))
    weak = rng.choice([c for c in (4, 5, 6, 8, 10, 12, 15, 20, 25, 30) if c < strong])
    litres = F(rng.randint(4, 40), 2)  # 2 to 20 litres, in halves
    final = litres * strong / weak
    water = final - litres
    if (water * 10).denominator != 1 or final > 200:
        raise Reject("the water should be whole tenths of a litre, and a bucketful, not a lake")
    vinegar = litres * strong / 100
    question = (f"{who} has {show(litres)} litres of a cleaning solution that is {strong}% vinegar and the rest "
                f"water. {who} wants to thin it with plain water until it is {weak}% vinegar. How many litres "
                f"of water must {who} add?")
    working = (f"Vinegar: {strong}% of {show(litres)} L = {show(vinegar)} L, and it stays the same.",
               f"At {weak}% that vinegar makes {show(vinegar)} / {weak}% = {show(final)} L of solution.",
               f"Water to add: {show(final)} - {show(litres)} = {show(water)} litres.")
    traps = _traps(water, ("gave the final amount of solution, not the water added", final),
                   ("divided by the old percentage instead of the new one", litres * (strong - weak) / strong),
                   ("added water in proportion to the drop in percentage points", litres * F(strong - weak, 100)))
    return Problem(question, water, working, traps, ("litres", "litre", "liters", "liter", "L"),
                   {"litres": litres, "strong": strong, "weak": weak})


@template("GS-30", "a warehouse: deliveries of mugs packed into full boxes, full boxes onto full pallets, a box weight that does not matter: full pallets or mugs not on one (multi-step with a distractor clause)")
def warehouse(rng: random.Random) -> Problem:
    (who,) = names(rng, 1)
    deliveries = rng.randint(2, 6)
    per_delivery = rng.randrange(150, 1201, 10)
    per_box = rng.choice((6, 8, 12, 16, 24))
    per_pallet = rng.choice((10, 12, 15, 20, 25, 30))
    box_kg = rng.choice((3, 4, 5, 6))
    ask = rng.choice(("pallets", "left"))
    mugs = deliveries * per_delivery
    boxes, loose = divmod(mugs, per_box)
    pallets, spare_boxes = divmod(boxes, per_pallet)
    left = mugs - pallets * per_pallet * per_box
    if not pallets or not left or not spare_boxes or not loose:
        raise Reject("the story needs a full pallet, spare boxes and loose mugs")
    story = (f"A warehouse run by {who} receives {deliveries} deliveries of {per_delivery} mugs each. The mugs are "
             f"packed {per_box} to a box, and only full boxes are used; each full box weighs {box_kg} kilograms. "
             f"Full boxes are then stacked {per_pallet} to a pallet, and only full pallets are shipped.")
    working = [f"Mugs: {deliveries} x {per_delivery} = {mugs}.",
               f"Full boxes: {mugs} / {per_box} = {boxes}, with {loose} mugs left over.",
               f"Full pallets: {boxes} / {per_pallet} = {pallets}, with {spare_boxes} boxes left over."]
    if ask == "pallets":
        question = f"{story} How many full pallets are shipped?"
        answer = pallets
        working[-1] = f"Full pallets: {boxes} / {per_pallet} = {pallets} (rounded down), {spare_boxes} boxes over."
        traps = _traps(pallets, ("gave the number of full boxes", boxes),
                       ("counted the part-filled pallet too", pallets + 1),
                       ("packed the mugs of one delivery only", per_delivery // per_box // per_pallet))
        units: tuple[str, ...] = ("pallets", "pallet")
    else:
        question = (f"{story} How many mugs are not on a shipped pallet, counting both those in spare boxes and "
                    f"those left out of boxes?")
        answer = left
        working.append(f"Not shipped: {spare_boxes} x {per_box} + {loose} = {left} mugs.")
        traps = _traps(left, ("counted only the mugs left out of boxes", loose),
                       ("counted only the mugs in spare boxes", spare_boxes * per_box),
                       ("gave the spare boxes, not mugs", spare_boxes))
        units = ("mugs", "mug")
    return Problem(question, answer, tuple(working), traps, units,
                   {"ask": ask, "deliveries": deliveries, "per_delivery": per_delivery, "per_box": per_box,
                    "per_pallet": per_pallet, "box_kg": box_kg})
