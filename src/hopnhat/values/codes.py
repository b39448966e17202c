"""Every problem code the value parsers emit, with its severity and what it means (a test keeps this complete)."""

from __future__ import annotations

PROBLEM_CODES: dict[str, tuple[str, str]] = {
    # dates and date-times
    "unknown_date_format": ("error", "the value is in none of the column's declared formats"),
    "impossible_date": ("error", "no such calendar day (31/02, month 13 that cannot be a swap, Excel's 29/02/1900)"),
    "implausible_serial": ("error", "an Excel serial in Jan–Feb 1900"),
    "ambiguous_serial_year": ("error", "4 digits that may be a year or an Excel serial, 'yyyy' not declared"),
    "date_too_old": ("error", "before 1880"),
    "future_date": ("error", "after today (a date-time: more than 366 days ahead)"),
    "bad_time": ("error", "hour, minute, second or UTC offset out of range"),
    "incomplete_datetime": ("error", "a year or month alone in a date-time column"),
    "placeholder_date": ("warning", "01/01/1900, 00/00/0000 and the like: value None, quality 'placeholder'"),
    "day_month_swapped": ("warning", "impossible in the declared order, valid swapped: kept swapped"),
    "ambiguous_day_month": ("warning", "both day/month orders declared and the value is valid in both"),
    "two_digit_year": ("warning", "a 2-digit year expanded to the most recent such year"),
    "time_ignored": ("warning", "a time of day in a date column, dropped"),
    "habitual_0101": ("warning", "01/01 far too frequent in the column: read as year only"),
    # ID numbers
    "bad_id_chars": ("error", "letters or symbols in an ID number"),
    "bad_id_length": ("error", "neither 12 (CCCD) nor 9 (CMND) digits, and no unambiguous lost zero"),
    "placeholder_id": ("error", "one repeated digit or a counting run (000000000, 123456789)"),
    "unknown_province": ("error", "CCCD birth-province code not among the 63"),
    "id_future_birth": ("error", "CCCD century/year digits give a birth year in the future"),
    "excel_rounded": ("error", "Excel scientific notation lost digits"),
    "id_inconsistent": ("warning", "CCCD birth year or sex contradicts the row"),
    "leading_zero_restored": ("warning", "a bare number that lost its leading zero(s) in Excel, restored"),
    # tax codes
    "bad_tax_chars": ("error", "letters or symbols in a tax code"),
    "bad_tax_length": ("error", "not 10 or 13 digits (nor a 12-digit personal ID)"),
    "bad_check_digit": ("error", "the 10th digit does not match the MST check-digit rule"),
    "bad_branch": ("error", "branch suffix 000"),
    "placeholder_tax": ("error", "a placeholder tax code (repeated digits, seven zeros)"),
    "personal_tax_code": ("warning", "a 12-digit personal ID used as tax code (since 1/7/2025)"),
    # phones
    "bad_phone_chars": ("error", "letters or symbols in a phone number"),
    "bad_phone_length": ("error", "a phone number of the wrong length"),
    "unknown_prefix": ("error", "no mobile prefix or area code, current or old"),
    "foreign_phone": ("error", "an international number outside +84"),
    "old_mobile_prefix": ("warning", "an 11-digit mobile converted by the 2018 table"),
    "old_area_code": ("warning", "a landline converted by the 2017 area-code table"),
    "multiple_phones": ("warning", "several numbers in one cell: the first valid one kept"),
    # sex
    "unknown_sex": ("error", "not a recognised sex word or code"),
    "ambiguous_sex": ("error", "both sexes, or 0 in an ISO 5218 column (0 = not known)"),
    # numbers
    "not_a_number": ("error", "not a number"),
    "not_integer": ("error", "a fraction in an integer column"),
    "out_of_range": ("error", "outside the 64-bit integer / float range"),
    "unit_dropped": ("warning", "a trailing unit (m2, %, đ) dropped; the number kept as written"),
    "other_decimal_separator": ("warning", "invalid with the declared decimal mark, valid with the other"),
    # status and coded text
    "unknown_status": ("error", "a status not in the mapping"),
    "ambiguous_status": ("error", "matches entries with different codes once case/diacritics are ignored"),
    "unknown_code": ("error", "a code not among the column's values"),
}
