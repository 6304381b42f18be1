#!/usr/bin/env python3
"""Writes wemwbs-export-cp1252.csv: a fictional export as Excel saves it (see README.md)."""
import random

random.seed(12)


def nhs():
    """A test-range NHS number (999...) with a valid modulus-11 check digit, as people write it."""
    while True:
        d = [9, 9, 9] + [random.randint(0, 9) for _ in range(6)]
        c = 11 - sum(x * (10 - i) for i, x in enumerate(d)) % 11
        c = 0 if c == 11 else c
        if c == 10:
            continue
        n = "".join(map(str, d)) + str(c)
        return n[:3] + " " + n[3:6] + " " + n[6:]


headers = ["I\u2019ve been feeling optimistic about the future", "I\u2019ve been feeling useful",
           "I\u2019ve been feeling relaxed", "I\u2019ve been feeling interested in other people",
           "I\u2019ve had energy to spare", "I\u2019ve been dealing with problems well",
           "I\u2019ve been thinking clearly", "I\u2019ve been feeling good about myself",
           "I\u2019ve been feeling close to other people", "I\u2019ve been feeling confident",
           "I\u2019ve been able to make up my own mind about things", "I\u2019ve been feeling loved",
           "I\u2019ve been interested in new things", "I\u2019ve been feeling cheerful"]
# typographic variety as Excel leaves it: a double space, a trailing space
headers[4] = "I\u2019ve had  energy to spare"
headers[9] = "I\u2019ve been feeling confident "
labels = ["None of the time", "Rarely", "Some of the time", "Often", "All of the time"]
cols = ["NHS Number", "Client Name", "Date of Completion", "Service \u2013 site"] + headers + ["Comments"]
names = ["Ann Example", "Bob Sample", "Cath Test", "Dev Demo", "Eve Placeholder", "Fay Fictional",
         "Gus Madeup", "Hal Invented", "Ida Notreal", "Jon Dummy"]
sites = ["Dudley North", "Dudley South"]
people = [(nhs(), names[i], sites[i % 2]) for i in range(10)]


def answers(base):
    return [labels[max(0, min(4, base + random.choice([-1, 0, 0, 1])))] for _ in range(14)]


def day(d, m, y):
    return "%02d/%02d/%04d" % (d, m, y)


rows = []
for i, (n, name, site) in enumerate(people):
    rows.append([n, name, day(3 + i, 2, 2025), site] + answers(1) + ["First session \u00a310 bus fare paid"])
    if i < 8:
        rows.append([n, name, day(3 + i, 6, 2025), site] + answers(2) + ["Review \u2013 \u201cfeels better\u201d"])
# a date that cannot be a date, and an answer left blank
rows.append([people[8][0], people[8][1], "31/02/2025", people[8][2]] + answers(2) + [""])
blank = [people[9][0], people[9][1], day(20, 6, 2025), people[9][2]] + answers(2) + ["left Q3 blank"]
blank[4 + 2] = ""
rows.append(blank)


def cell(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s


text = "\r\n".join(",".join(cell(c) for c in r) for r in [cols] + rows) + "\r\n"
open("wemwbs-export-cp1252.csv", "wb").write(text.encode("cp1252"))
