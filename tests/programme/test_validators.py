import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from programme.validators import validate_ags
from tests.factories import CityFactory


@pytest.mark.parametrize("ags", ["05114000", "01001000", "16077001", "09162000"])
def test_valid_ags(ags):
    validate_ags(ags)


@pytest.mark.parametrize(("ags", "code"), [
    ("5114000", "ags_format"), ("051140000", "ags_format"), ("0511400a", "ags_format"),
    ("", "ags_format"), ("00114000", "ags_land"), ("17114000", "ags_land"),
    ("99000000", "ags_land"),
])
def test_invalid_ags(ags, code):
    with pytest.raises(ValidationError) as error:
        validate_ags(ags)
    assert error.value.code == code


@pytest.mark.django_db
def test_city_full_clean_checks_the_ags():
    city = CityFactory.build(ags="17000000")
    with pytest.raises(ValidationError):
        city.full_clean()


@pytest.mark.django_db
def test_ags_is_unique_when_set_and_only_german():
    CityFactory(ags="05114000")
    CityFactory(ags=None, country="NL")
    CityFactory(ags=None, country="IT")  # several cities without AGS are fine
    with pytest.raises(IntegrityError):
        CityFactory(ags="05114000")


@pytest.mark.django_db
def test_non_german_city_has_no_ags():
    with pytest.raises(IntegrityError):
        CityFactory(ags="05114000", country="NL")
