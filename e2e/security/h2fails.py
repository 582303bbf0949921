#!/usr/bin/env python3
"""h2fails.py REPORT.xml: prints the h2spec test cases that failed in a
JUnit report, one per line, sorted, as "section/N<TAB>section: title"
(section/N is the id h2spec takes to run that case alone), and on stderr
the totals as "tests=N failed=M". h2spec writes one <testsuite> per spec
section and a <failure> (or <error>) inside each failing <testcase>."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
failed, total = [], 0
for suite in root.iter("testsuite"):
    for n, case in enumerate(suite.iter("testcase"), 1):
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            pkg = suite.get("package")
            failed.append("%s/%d\t%s: %s" % (pkg, n, pkg, case.get("classname")))
for line in sorted(failed):
    print(line)
print("tests=%d failed=%d" % (total, len(failed)), file=sys.stderr)
