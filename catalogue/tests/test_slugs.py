from catalogue.slugs import number_slug


def test_slugs_are_readable():
    assert number_slug("DB44/ 2159—2019") == "DB44-2159-2019"
    assert number_slug("GB/T 1.1—2020") == "GB-T-1.1-2020"
    assert number_slug("ISO/IEC 27001:2022") == "ISO-IEC-27001-2022"
    assert number_slug("GB/T 3102（所有部分）") == "GB-T-3102-all-parts"
    assert number_slug("ISO 16634:—") == "ISO-16634-unpublished"
