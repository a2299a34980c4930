"""core.querystring.int_param: what a user typed into a query string never raises."""

import pytest
from django.http import QueryDict

from core.querystring import int_param


def test_it_reads_a_plain_integer():
    assert int_param(QueryDict("poll=7"), "poll", 0) == 7
    assert int_param(QueryDict("offset=-3"), "offset", 0) == -3


def test_it_answers_the_default_when_the_value_is_missing():
    assert int_param(QueryDict(""), "poll", 0) == 0
    assert int_param(QueryDict("other=5"), "after", None) is None


@pytest.mark.parametrize("raw", ["", "abc", "5.0", "1e3", " 5", "5 ", "+5", "1_000", "²", "٣", "0x10", "9" * 5000])
def test_it_answers_the_default_for_anything_but_plain_digits(raw):
    query = QueryDict(mutable=True)
    query["after"] = raw
    assert int_param(query, "after", None) is None


def test_it_answers_the_default_outside_the_bounds():
    query = QueryDict("low=-1&high=1000&edge=10")
    assert int_param(query, "low", 0, min_value=0) == 0
    assert int_param(query, "high", None, max_value=999) is None
    assert int_param(query, "edge", None, min_value=10, max_value=10) == 10


def test_it_reads_a_plain_dict_too():
    assert int_param({"page": "2"}, "page", 1, min_value=1) == 2
