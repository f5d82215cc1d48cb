"""TabularEncoder: an exact round trip of form (container, columns, dtypes, missing values)."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gan_augment.data._dtypes import dtype_to_json
from gan_augment.data.tabular import TabularEncoder, _restore_dtype, check_target
from gan_augment.exceptions import DataValidationError

N = 240
ALPHA_CLIP = 0.99


def _frame(n=N, seed=0):
    rng = np.random.default_rng(seed)

    def holes(values, rate):
        values = pd.Series(values, dtype=object)
        values[rng.random(n) < rate] = None
        return values

    return pd.DataFrame({
        "count": rng.integers(0, 50, n),
        "income": np.where(rng.random(n) < 0.15, np.nan,
                           np.concatenate([rng.normal(-10, 1, n // 2), rng.normal(20, 3, n - n // 2)])),
        "nullable_int": pd.array(holes(rng.integers(-5, 6, n), 0.1), dtype="Int64"),
        "flag": rng.random(n) < 0.3,
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n),
                                 categories=["blue", "green", "red", "unused"]),
        "city": pd.Series(rng.choice(["paris", "lyon", "nice"], n), dtype=object),
        "word": pd.Series(rng.choice(["alpha", "beta"], n), dtype="str"),
        "word_with_gaps": pd.Series(holes(rng.choice(["x", "y", "z"], n), 0.2), dtype="str"),
        "python_string": pd.Series(holes(rng.choice(["u", "v"], n), 0.1),
                                   dtype=pd.StringDtype("python")),
        "small": rng.integers(0, 200, n).astype(np.uint8),
        "single": rng.normal(0, 1, n).astype(np.float32),
        "constant": np.full(n, 7),
    })


def _alpha_positions(encoder):
    """Column index in the encoded matrix of each numeric column's scalar."""
    spans = iter(encoder.output_spans)
    positions = {}
    for spec in encoder.columns_:
        span = next(spans)
        if spec["kind"] == "numeric":
            positions[spec["name"]] = span.start
            next(spans)  # its mode span
    return positions


def _random_rows(encoder, n, seed):
    """Rows as a generator would emit them: a scalar in (-1, 1) and a random one-hot per span."""
    rng = np.random.default_rng(seed)
    Z = np.zeros((n, encoder.output_dim), dtype=np.float32)
    for span in encoder.output_spans:
        if span.activation == "tanh":
            Z[:, span.start] = rng.uniform(-1, 1, n)
        else:
            Z[np.arange(n), span.start + rng.integers(0, span.size, n)] = 1.0
    return Z


@pytest.fixture(scope="module")
def fitted():
    frame = _frame()
    encoder = TabularEncoder(random_state=0).fit(frame)
    encoded = encoder.transform(frame, random_state=1)
    return frame, encoder, encoded, encoder.inverse_transform(encoded, random_state=2)


def test_round_trip_keeps_columns_order_and_dtypes(fitted):
    frame, _, encoded, decoded = fitted
    assert isinstance(decoded, pd.DataFrame)
    assert list(decoded.columns) == list(frame.columns)
    assert decoded.dtypes.to_dict() == frame.dtypes.to_dict()
    assert len(decoded) == len(frame)
    assert encoded.dtype == np.float32 and np.isfinite(encoded).all()


@pytest.mark.parametrize("column", ["flag", "colour", "city", "word", "word_with_gaps", "python_string",
                                    "nullable_int", "count", "small", "constant"])
def test_round_trip_reproduces_categorical_and_integer_values_exactly(fitted, column):
    frame, _, _, decoded = fitted
    pd.testing.assert_series_equal(decoded[column], frame[column])


@pytest.mark.parametrize("column", ["income", "single"])
def test_round_trip_of_floats_is_lossy_only_where_alpha_was_clipped(fitted, column):
    frame, encoder, encoded, decoded = fitted
    original, restored = frame[column].to_numpy(np.float64), decoded[column].to_numpy(np.float64)
    assert np.array_equal(np.isnan(original), np.isnan(restored))
    clipped = np.abs(encoded[:, _alpha_positions(encoder)[column]]) >= ALPHA_CLIP
    observed = ~np.isnan(original)
    exact = observed & ~clipped
    assert exact.sum() > 0.95 * observed.sum()
    scale = np.nanstd(original)
    np.testing.assert_allclose(restored[exact], original[exact], rtol=0, atol=1e-5 * scale)


def test_missing_positions_match_exactly(fitted):
    frame, _, _, decoded = fitted
    for column in frame.columns:
        assert np.array_equal(frame[column].isna().to_numpy(), decoded[column].isna().to_numpy()), column


def test_decoded_generated_rows_stay_in_range_and_integers_stay_integers(fitted):
    frame, encoder, _, _ = fitted
    decoded = encoder.inverse_transform(_random_rows(encoder, 2000, seed=3), random_state=0)
    assert decoded.dtypes.to_dict() == frame.dtypes.to_dict()
    for column in ["count", "income", "nullable_int", "small", "single", "constant"]:
        values = decoded[column].dropna().to_numpy(np.float64)
        assert values.min() >= frame[column].min() and values.max() <= frame[column].max(), column
    for column in ["count", "nullable_int", "small"]:
        values = decoded[column].dropna().to_numpy(np.float64)
        assert np.array_equal(values, np.round(values)), column
    for column in ["flag", "colour", "city", "word", "word_with_gaps", "python_string"]:
        assert set(decoded[column].dropna()) <= set(frame[column].dropna()), column


def test_only_columns_with_missing_values_decode_missing_values(fitted):
    frame, encoder, _, _ = fitted
    decoded = encoder.inverse_transform(_random_rows(encoder, 3000, seed=4), random_state=0)
    for column in frame.columns:
        had_missing = frame[column].isna().any()
        assert decoded[column].isna().any() == had_missing, column


def test_missing_rate_is_carried_by_the_missing_slot(fitted):
    """Rows drawn slot-by-slot at the data's frequencies come back with the data's missing rate."""
    frame, encoder, encoded, _ = fitted
    rng = np.random.default_rng(5)
    resampled = encoded[rng.integers(0, len(encoded), 20000)]
    decoded = encoder.inverse_transform(resampled, random_state=0)
    for column in ["income", "nullable_int", "word_with_gaps"]:
        assert decoded[column].isna().mean() == pytest.approx(frame[column].isna().mean(), abs=0.02)


def test_decoding_is_reproducible_and_accepts_float64(fitted):
    _, encoder, encoded, decoded = fitted
    again = encoder.inverse_transform(encoded.astype(np.float64), random_state=2)
    pd.testing.assert_frame_equal(again, decoded)


def test_encoded_layout_matches_output_spans(fitted):
    _, encoder, encoded, _ = fitted
    assert encoded.shape[1] == encoder.output_dim
    for span in encoder.output_spans:
        block = encoded[:, span.start:span.start + span.size]
        if span.activation == "softmax":
            assert np.array_equal(block.sum(axis=1), np.ones(len(block)))
            assert set(np.unique(block)) <= {0.0, 1.0}
        else:
            assert np.abs(block).max() <= ALPHA_CLIP + 1e-6


@pytest.mark.parametrize("array", [
    np.random.default_rng(0).normal(size=(80, 3)),
    np.where(np.random.default_rng(1).random((80, 3)) < 0.1, np.nan, np.random.default_rng(2).normal(size=(80, 3))),
    np.random.default_rng(3).integers(-20, 20, size=(80, 4)),
    np.random.default_rng(4).choice(["a", "b", "c"], size=(80, 2)).astype(object),
], ids=["float", "float-nan", "int", "object-strings"])
def test_numpy_arrays_round_trip_with_their_dtype(array):
    encoder = TabularEncoder(random_state=0).fit(array)
    encoded = encoder.transform(array, random_state=0)
    decoded = encoder.inverse_transform(encoded)
    assert isinstance(decoded, np.ndarray)
    assert decoded.dtype == array.dtype and decoded.shape == array.shape
    if array.dtype.kind == "f":
        assert np.array_equal(np.isnan(decoded), np.isnan(array))
        alpha = encoded[:, [s.start for s in encoder.output_spans if s.activation == "tanh"]]
        exact = ~np.isnan(array) & (np.abs(alpha) < ALPHA_CLIP)
        np.testing.assert_allclose(decoded[exact], array[exact], atol=1e-5 * np.nanstd(array))
    else:
        assert np.array_equal(decoded, array)


def test_object_array_of_numbers_and_strings_keeps_python_ints():
    array = np.array([[i % 7, ["a", "b", None][i % 3]] for i in range(60)], dtype=object)
    encoder = TabularEncoder(random_state=0).fit(array)
    decoded = encoder.inverse_transform(encoder.transform(array, random_state=0))
    assert decoded.dtype == object
    assert [type(v) for v in decoded[:, 0]] == [int] * 60
    assert decoded[:, 0].tolist() == array[:, 0].tolist()
    assert [v if isinstance(v, str) else None for v in decoded[:, 1]] == array[:, 1].tolist()


@pytest.mark.parametrize("missing", [None, np.nan])
@pytest.mark.parametrize("base", [0, 2 ** 60])  # beyond 2**53 they are clipped as integers, another path
def test_object_numbers_come_back_as_the_kind_they_were_with_their_missing_marker(missing, base):
    # Whole floats held as objects (df.to_numpy() of a mixed frame) came back as ints, and a None
    # among numbers as NaN.
    floats = np.array([[float(base + (i % 5) * 2 ** 20), ["a", "b"][i % 2]] for i in range(60)], dtype=object)
    ints = np.array([[missing if i % 6 == 0 else base + i % 5, "a"] for i in range(60)], dtype=object)
    for array, kind in ((floats, float), (ints, int)):
        encoder = TabularEncoder(random_state=0).fit(array)
        decoded = encoder.inverse_transform(_random_rows(encoder, 300, seed=1), random_state=0)[:, 0]
        present = [v for v in decoded if not pd.isna(v)]
        assert present and all(type(v) is kind for v in present)
        gaps = [v for v in decoded if pd.isna(v)]
        if array is ints:
            assert gaps and all(v is missing if missing is None else isinstance(v, float) for v in gaps)


def test_an_object_arrays_text_column_keeps_none_for_missing():
    # pandas made the column its string dtype, None read as NaN: synthetic rows said NaN where the
    # real rows of the same array say None.
    array = np.array([[i * 0.5, ["x", "y", None][i % 3]] for i in range(60)], dtype=object)
    encoder = TabularEncoder(random_state=0).fit(array)
    decoded = encoder.inverse_transform(_random_rows(encoder, 300, seed=1), random_state=0)[:, 1]
    kinds = {type(v) for v in decoded}
    assert kinds == {str, type(None)}


def test_high_cardinality_column_warns_and_decodes_only_observed_values():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"zip": [f"z{v:03d}" for v in rng.zipf(1.5, 600) % 300], "x": rng.normal(size=600)})
    with pytest.warns(UserWarning, match="'zip'"):
        encoder = TabularEncoder(max_categories=10, random_state=0).fit(frame)
    assert encoder.output_spans[0].size == 11  # 10 kept categories + one "other" slot
    decoded = encoder.inverse_transform(_random_rows(encoder, 3000, seed=1), random_state=0)
    assert set(decoded["zip"]) <= set(frame["zip"])
    assert decoded["zip"].nunique() > 11  # the "other" slot spreads over the rare values
    assert decoded["zip"].dtype == frame["zip"].dtype


def test_no_warning_for_a_low_cardinality_table(fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularEncoder(random_state=0).fit(_frame(60))


@pytest.mark.parametrize("values", [pd.date_range("2020-01-01", periods=30),
                                    pd.to_timedelta(np.arange(30), unit="D")], ids=["datetime", "timedelta"])
def test_dates_and_durations_are_refused_naming_the_column(values):
    frame = pd.DataFrame({"x": np.arange(30.0), "when": values})
    with pytest.raises(DataValidationError, match="'when'"):
        TabularEncoder().fit(frame)


def test_infinite_values_are_refused_naming_the_column():
    frame = pd.DataFrame({"ok": np.arange(10.0), "bad": [1.0, np.inf] + [2.0] * 8})
    with pytest.raises(DataValidationError, match="'bad'.*infinite"):
        TabularEncoder().fit(frame)


def test_unknown_categorical_column_is_refused():
    with pytest.raises(DataValidationError, match="'nope'"):
        TabularEncoder(categorical_columns=["nope"]).fit(_frame(40))


def test_categorical_columns_forces_integer_codes_to_categories():
    frame = pd.DataFrame({"code": np.random.default_rng(0).choice([3, 17, 42], 90), "x": np.arange(90.0)})
    encoder = TabularEncoder(categorical_columns=["code"], random_state=0).fit(frame)
    assert encoder.columns_[0]["kind"] == "categorical"
    decoded = encoder.inverse_transform(_random_rows(encoder, 500, seed=0))
    assert decoded["code"].dtype == np.int64
    assert set(decoded["code"]) == {3, 17, 42}


def test_categorical_columns_by_position_for_arrays():
    array = np.random.default_rng(0).integers(0, 3, size=(50, 2))
    encoder = TabularEncoder(categorical_columns=[1], random_state=0).fit(array)
    assert [spec["kind"] for spec in encoder.columns_] == ["numeric", "categorical"]
    assert np.array_equal(encoder.inverse_transform(encoder.transform(array)), array)


def test_categorical_columns_by_position_for_frames_whose_names_are_not_integers():
    # As imbalanced-learn's SMOTENC takes them on a DataFrame; [1] was refused as "not a column".
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.integers(0, 3, 60), "c": rng.choice(list("xyz"), 60)})
    encoder = TabularEncoder(categorical_columns=[1], random_state=0).fit(frame)
    assert [spec["kind"] for spec in encoder.columns_] == ["numeric", "categorical", "categorical"]
    with pytest.raises(DataValidationError, match="not a column of X nor a position in X's 3 columns"):
        TabularEncoder(categorical_columns=[3]).fit(frame)
    # Where names are integers, an integer is a name: 1 is not read as the position of column 3.
    with pytest.raises(DataValidationError, match="integers are read as names"):
        TabularEncoder(categorical_columns=[1]).fit(frame.set_axis([5, 3, 7], axis=1))


@pytest.mark.parametrize("as_array", [False, True])
def test_categorical_columns_as_a_boolean_mask_as_smotenc_takes_it(as_array):
    # [False, True] is a mask, not the indices 0 and 1; on a DataFrame with integer names True is
    # not the column 1 either.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({0: rng.normal(size=60), 1: rng.integers(0, 3, 60)})
    X = frame.to_numpy() if as_array else frame
    encoder = TabularEncoder(categorical_columns=np.array([False, True]), random_state=0).fit(X)
    assert [spec["kind"] for spec in encoder.columns_] == ["numeric", "categorical"]
    with pytest.raises(DataValidationError, match="boolean mask of 1 entries, but X has 2 columns"):
        TabularEncoder(categorical_columns=[True]).fit(X)
    with pytest.raises(DataValidationError, match="mixes True/False"):
        TabularEncoder(categorical_columns=[1, False]).fit(X)


def test_a_column_in_small_units_gets_the_same_modes_as_in_large_ones():
    # The mixture's regularisation is relative to the column's variance: the same numbers in
    # metres and in kilometres give the same modes, scaled, and so the same synthetic spread.
    values = np.random.default_rng(0).normal(size=300)
    specs = [TabularEncoder(random_state=0).fit(pd.DataFrame({"x": values * scale})).columns_[0]
             for scale in (1.0, 1e-4, 1e-7)]
    for spec, scale in zip(specs[1:], (1e-4, 1e-7)):
        assert np.allclose(np.asarray(spec["stds"]) / scale, specs[0]["stds"], rtol=1e-4)
        assert np.allclose(spec["weights"], specs[0]["weights"], rtol=1e-4)
    # So in units whose variance underflows (1e-160: modes came out 1e156 times wider than the data,
    # every synthetic value on a bound) or overflows.
    for scale in (1e-160, 1e-300, 1e140):
        spec = TabularEncoder(random_state=0).fit(pd.DataFrame({"x": values * scale})).columns_[0]
        assert np.allclose(np.asarray(spec["stds"]) / scale, specs[0]["stds"], rtol=1e-3), scale


def test_large_whole_values_of_a_float_column_are_no_identifiers():
    # Every float64 beyond 2**53 is whole: energies of 1e20 J were warned of as identifiers.
    energies = pd.DataFrame({"energy": np.random.default_rng(0).lognormal(size=100) * 1e20})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularEncoder(random_state=0).fit(energies)
        TabularEncoder(random_state=0).fit(energies.astype(object))  # Python floats


def test_transform_with_a_different_number_of_columns_is_refused(fitted):
    frame, encoder, _, _ = fitted
    with pytest.raises(DataValidationError, match="columns"):
        encoder.transform(frame.iloc[:, :3])


def test_duplicated_column_names_are_refused():
    frame = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
    with pytest.raises(DataValidationError, match="duplicated"):
        TabularEncoder().fit(frame)


def test_to_dict_survives_json_and_decodes_identically(fitted):
    frame, encoder, encoded, decoded = fitted
    restored = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    assert restored.output_spans == encoder.output_spans
    pd.testing.assert_frame_equal(restored.inverse_transform(encoded, random_state=2), decoded)
    np.testing.assert_array_equal(restored.transform(frame, random_state=1), encoded)


def test_fit_is_reproducible_with_a_random_state():
    frame = _frame(120)
    first = TabularEncoder(random_state=7).fit(frame)
    second = TabularEncoder(random_state=7).fit(frame)
    assert first.to_dict() == second.to_dict()
    np.testing.assert_array_equal(first.transform(frame, random_state=0), second.transform(frame, random_state=0))


def test_multimodal_column_gets_several_modes(fitted):
    _, encoder, _, _ = fitted
    income = next(spec for spec in encoder.columns_ if spec["name"] == "income")
    means = np.asarray(income["means"])
    assert (means < 0).any() and (means > 10).any()


def test_frequent_value_becomes_an_exact_mode():
    # capital-gain-like: 0 for most rows, spread-out values otherwise; the spike must decode onto 0
    # exactly, whatever small offset the generator puts on it.
    rng = np.random.default_rng(0)
    values = np.where(rng.random(2000) < 0.9, 0, rng.integers(1000, 20000, 2000))
    encoder = TabularEncoder(random_state=0).fit(pd.DataFrame({"gain": values}))
    spec = encoder.columns_[0]
    zero_mode = spec["means"].index(0.0)
    assert spec["stds"][zero_mode] == 0.0
    encoded = encoder.transform(pd.DataFrame({"gain": values}), random_state=0)
    is_zero = values == 0
    assert (encoded[is_zero, 1 + zero_mode] == 1).all()
    nudged = encoded.copy()
    nudged[:, 0] += 0.05  # the generator's tanh output is never exactly 0
    decoded = encoder.inverse_transform(nudged)["gain"].to_numpy()
    assert (decoded[is_zero] == 0).all()
    assert (decoded[~is_zero] != 0).mean() > 0.99


# ============================================================ issue 10: nothing invented, clear errors
def test_all_missing_columns_stay_all_missing_in_generated_rows():
    n = 80
    frame = pd.DataFrame({
        "x": np.arange(n, dtype=float),
        "empty_float": np.full(n, np.nan),  # what read_table gives for an empty CSV column
        "empty_int": pd.array([None] * n, dtype="Int64"),
        "empty_text": pd.Series([None] * n, dtype=object),
    })
    encoder = TabularEncoder(random_state=0).fit(frame)
    # Rows as a badly trained generator may emit them: any slot, including the placeholder mode.
    decoded = encoder.inverse_transform(_random_rows(encoder, 2000, seed=0), random_state=0)
    for column in ("empty_float", "empty_int", "empty_text"):
        assert decoded[column].isna().all(), column
    assert decoded["empty_int"].dtype == "Int64"
    described = dict(encoder.describe_columns())  # what `gan-augment info` shows
    for column in ("empty_float", "empty_int", "empty_text"):
        assert described[column].endswith("every value missing (sampled as missing)"), described[column]
    again = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    assert again.inverse_transform(_random_rows(encoder, 500, seed=1))["empty_float"].isna().all()


@pytest.mark.parametrize("dates", [
    ["2021-03-04", "2021-03-05", "2022-12-31"],
    ["2021-03-04T10:30:00Z", "2021-03-04 11:00", "2021-03-05T00:00:00.5+02:00"],
    ["4/3/2021", "12/31/21", "1/1/2020"],
    ["04.03.2021", "31.12.2021", "1.1.2020"],
])
def test_text_dates_warn_that_they_are_modelled_as_categories(dates):
    frame = pd.DataFrame({"x": np.arange(30.0), "signup": (dates * 10)[:30]})
    with pytest.warns(UserWarning, match="'signup' looks like dates.*modelled as categories"):
        TabularEncoder(random_state=0).fit(frame)


def test_a_date_column_of_one_date_a_row_gets_one_piece_of_advice():
    # It was told both to convert the dates to numbers and to drop the column as an ID (and, over
    # max_categories distinct dates, to raise max_categories).
    days = pd.date_range("2021-01-01", periods=120).strftime("%Y-%m-%d")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TabularEncoder(max_categories=50, random_state=0).fit(pd.DataFrame({"x": np.arange(120.0), "day": days}))
    messages = [str(w.message) for w in caught if "'day'" in str(w.message)]
    assert len(messages) == 1 and "looks like dates" in messages[0], messages


@pytest.mark.parametrize("column", [
    lambda start: [f"2021-03-{day:02d}" for day in range(start, start + 30)],  # text dates
    lambda start: [2 ** 60 + day for day in range(start, start + 30)],  # whole numbers beyond 2**53
], ids=["dates", "big-integers"])
def test_a_warning_of_folds_with_other_examples_is_said_once(column):
    # Each cross-validation fold has its own first date, or its own largest identifier: the warning
    # is said once, as its gist (the identifiers' warning was said once per fold).
    from gan_augment._warnings import recording, say_once

    def fold(start):
        frame = pd.DataFrame({"x": np.arange(30.0), "v": column(start)})
        return recording(TabularEncoder(random_state=0).fit, frame)[1]

    folds = [fold(1), fold(2)]
    assert len(folds[0]) == 1 and folds[0][0][1] != folds[1][0][1]  # the examples differ
    with pytest.warns(UserWarning) as said:
        say_once(folds)
    text = str(said[0].message)
    assert len(said) == 1 and not re.search(r"\(e\.g\. '?\d", text) and "(in 2 of 2 folds)" in text


def test_the_max_categories_warning_of_folds_with_other_counts_is_said_once_with_the_cli_option():
    # Each fold held another number of distinct cities: `gan-augment evaluate` said it 9 times, and
    # named max_categories only, which the command line spells --max-categories.
    from gan_augment._warnings import recording, say_once

    cities = [f"city {i}" for i in range(300)]

    def fold(seed):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({"x": rng.normal(size=200), "city": rng.choice(cities, 200)})
        return recording(TabularEncoder(max_categories=20, random_state=0).fit, frame)[1]

    folds = [fold(1), fold(2)]
    assert folds[0][0][1] != folds[1][0][1]  # the counts differ
    assert re.search(r"has \d+ distinct values \(\d+ beyond the 20\).*Raise max_categories \(--max-categories\)",
                     folds[0][0][1])
    with pytest.warns(UserWarning) as said:
        say_once(folds)
    assert len(said) == 1 and str(said[0].message).startswith("Column 'city' has more than 20 distinct values; ")
    assert "(in 2 of 2 folds)" in str(said[0].message)


def test_text_that_only_sometimes_looks_like_a_date_does_not_warn():
    frame = pd.DataFrame({"x": np.arange(30.0), "note": (["2021-03-04", "late", "n/a"] * 10)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularEncoder(random_state=0).fit(frame)


# ------------------------------------------------------------ check_target
@pytest.mark.parametrize("y, match", [
    (["a", np.nan, "b", None], r"The target y has 2 missing values of 4 rows \(at positions 1, 3"),
    (pd.Series(["a", "b", pd.NA], dtype="string"), "1 missing value of 3 rows"),
    ([1, "1", 2, 2], r"differ only in type: 1 \(int\), '1' \(str\) all read '1'"),
    ([np.float64(1.5), "1.5", "x"], "differ only in type"),
    (np.random.default_rng(0).normal(size=40), "looks like a regression target: 40 distinct numbers in 40 rows"),
    (np.arange(100), "looks like a regression target: 100 distinct"),
    (np.array([0.5, 1.5, 0.5, 1.5] * 10), r"fractional part as labels \(e.g. 0.5\)"),
    (np.array([1.0, 2.0000001] * 20), r"fractional part as labels \(e.g. 2.0000001\)"),  # was "e.g. 2"
])
def test_check_target_refuses_what_cannot_be_classes(y, match):
    with pytest.raises(DataValidationError, match=match):
        check_target(y)


@pytest.mark.parametrize("y", [
    ["a", "b", "a"], [0, 1, 1, 2], np.array([0.0, 1.0, 1.0]), [True, False, True], np.arange(8),
    pd.Series(["007", "7"]), np.array([[0, 1], [1, 0]]),
])
def test_check_target_accepts_classes(y):
    check_target(y)


def test_labels_spelt_two_ways_are_named_as_written_whatever_holds_them():
    # numpy's text labels were shown as np.str_('fraud') (numpy 2's repr).
    from gan_augment.exceptions import LabelSpellingWarning

    labels = ["ok"] * 20 + ["fraud"] * 8 + ["fraud "] * 6
    for y in (np.array(labels), pd.Series(labels, dtype="category"), pd.Series(labels, dtype="string"), labels):
        with pytest.warns(LabelSpellingWarning) as said:
            check_target(y)
        assert "differ only in spaces or case: 'fraud' (8 samples) and 'fraud ' (6 samples)." in str(said[0].message)
    # One class written many ways is named by its first few spellings, not all of them.
    many = ["ok"] * 20 + [" " * k + "fraud" for k in range(200)]
    with pytest.warns(LabelSpellingWarning) as said:
        check_target(np.array(many, dtype=object))
    assert "'fraud' (1 sample) and ' fraud' (1 sample) and '  fraud' (1 sample) and 197 more." in str(said[0].message)


def test_check_target_names_the_column_and_file():
    with pytest.raises(DataValidationError, match=r"Target column 'label' in d.csv has 1 missing value.*data rows 2"):
        check_target(pd.Series(["a", None, "b"]), name="label", source="d.csv")


def test_a_column_of_row_numbers_is_pointed_out_and_other_integers_are_not():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": rng.permutation(np.arange(1000, 1100)), "x": rng.normal(size=100),
                          "visits": rng.integers(0, 5, 100),  # repeats
                          "stamp": np.arange(100) * 86_400})  # distinct, but spread far wider than a row number
    with pytest.warns(UserWarning, match=r"Column 'id' holds a different integer in every row \(1000 to 1099\)") \
            as said:
        TabularEncoder(random_state=0).fit(frame)
    assert [str(w.message)[:11] for w in said] == ["Column 'id'"]
    with warnings.catch_warnings():  # too few rows to tell an ID from any integer feature
        warnings.simplefilter("error")
        TabularEncoder(random_state=0).fit(frame.iloc[:40])


def test_column_names_of_several_types_come_back_as_written():
    # [0, 1.5, 2] came back as [0.0, 1.5, 2.0] from sample(): pandas inferred a float index.
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 3)), columns=pd.Index([0, 1.5, 2], dtype=object))
    encoder = TabularEncoder(random_state=0).fit(frame)
    decoded = encoder.inverse_transform(_random_rows(encoder, 5, seed=0))
    assert [(name, type(name)) for name in decoded.columns] == [(0, int), (1.5, float), (2, int)]


def test_a_column_of_text_ids_is_pointed_out_instead_of_advice_to_model_every_value():
    # It used to get no ID warning, and beyond max_categories the advice to raise max_categories.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"uid": [f"u-{i:04x}" for i in rng.permutation(300)], "x": rng.normal(size=300),
                          "colour": rng.choice(["red", "blue"], 300)})
    for max_categories in (50, 1000):
        with pytest.warns(UserWarning, match=r"Column 'uid' holds a different text in every row \(e\.g\. 'u-") \
                as said:
            TabularEncoder(max_categories=max_categories, random_state=0).fit(frame)
        assert [str(w.message)[:12] for w in said] == ["Column 'uid'"]  # no "Raise max_categories"
    with warnings.catch_warnings():  # named a category by the user, or too few rows to tell: no warning
        warnings.simplefilter("error")
        TabularEncoder(categorical_columns=["uid"], max_categories=1000, random_state=0).fit(frame)
        TabularEncoder(random_state=0).fit(frame.iloc[:40])
        # Comments written in a few rows: not an ID ("a different text in every row" of the 6% with one).
        TabularEncoder(random_state=0).fit(frame.assign(uid=frame["uid"].where(np.arange(300) % 16 == 0)))
    some = frame.assign(uid=frame["uid"].where(np.arange(300) % 4 != 0))  # an ID missing in a quarter of rows
    with pytest.warns(UserWarning, match=r"'uid' holds a different text in every row that has one \(225 of 300\)"):
        TabularEncoder(random_state=0).fit(some)


def test_numbers_written_as_text_are_named_as_numbers_not_as_ids_or_many_categories():
    # '$6,897.59' was warned of as "a row number or an ID? Drop it", a column of numbers with one
    # typo ('1O') or a spreadsheet's '#DIV/0!' went unsaid (or was told to raise max_categories).
    rng = np.random.default_rng(0)
    amounts = rng.uniform(10, 9000, 300)
    numbers = [f"{v:.1f}" for v in rng.normal(50, 10, 300)]
    frame = pd.DataFrame({
        "dollars": [f"${v:,.2f}" for v in amounts[:295]] + ["", "N/A"] * 2 + [""],  # blanks did not hide it
        "euros": [f"{v:,.2f} €".replace(",", "_").replace(".", ",").replace("_", ".") for v in amounts],
        "share": [f"{v / 10}%" for v in rng.integers(0, 400, 300)],
        "balance": [f"({v:,.2f})" if i % 3 == 0 else f"{v:,.2f}" for i, v in enumerate(amounts)],
        "typo": numbers[:150] + ["1O"] + numbers[151:],
        "errors": [("#DIV/0!" if i % 50 == 0 else "#N/A" if i % 50 == 1 else v) for i, v in enumerate(numbers)],
        "x": rng.normal(size=300)})
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        TabularEncoder(max_categories=50, random_state=0).fit(frame)
    said = [str(w.message) for w in said]
    assert len(said) == 6 and not any("an ID" in text or "max_categories" in text for text in said), said
    # Each says how its example reads as a number: following it keeps the value (a decimal mark was
    # once advised away with the separators, and the minus of accounting brackets was lost).
    assert re.search(r"^Column 'dollars' holds numbers written as text \(e\.g\. '\$[0-9,.]+'\): .* Convert it to "
                     r"numbers before fitting \('\$[0-9,.]+' as [0-9]+\.[0-9]{2}\), or name it categorical", said[0])
    assert re.search(r"\(e\.g\. '[0-9.]+,[0-9]{2} €'\).*as [0-9]+\.[0-9]{2}\)", said[1])
    assert re.search(r"\('[0-9.]+%' as [0-9.]+\)", said[2])
    assert re.search(r"\(e\.g\. '\([0-9,.]+\)'\).*as -[0-9]+\.[0-9]{2}\)", said[3])
    assert said[4].startswith("Column 'typo' holds numbers but for 1 value in 1 row ('1O'): it is modelled as "
                              "categories") and "correct it, or mark it missing" in said[4]
    assert said[5].startswith("Column 'errors' holds numbers but for 2 values in 12 rows ('#DIV/0!', '#N/A')")
    from gan_augment.data.tabular import _decorated_value

    assert [_decorated_value(text) for text in ("(1,234.50)", "12.671,00 €", "86,95", "1,234", "-$5", "1'200.5")] \
        == ["-1234.50", "12671.00", "86.95", "1234", "-5", "1200.5"]
    with warnings.catch_warnings():  # codes, and what the CSV reader says itself
        warnings.simplefilter("error")
        TabularEncoder(categorical_columns=["dollars", "typo"], max_categories=500, random_state=0).fit(
            frame[["dollars", "typo", "x"]])
        codes = pd.DataFrame({
            "grade": rng.choice([str(g) for g in range(1, 13)] + ["K"], 300),  # few numbers among words
            "answer": rng.choice(["(1)", "(2)", "(3)", "(4)"], 300),  # brackets around every value: labels
            "zip": [f"{v:05d}" for v in rng.integers(0, 99999, 297)] + ["02139-4307"] * 3,  # zero-padded codes
            "chosen": rng.choice(["1", "2", "3", "1,2", "1,3", "2,3"], 300),  # several answers, not decimals
            "ratio": [f"{v:.2f}".replace(".", ",") for v in rng.uniform(0, 9, 300)],  # the reader's to say
            "sized": numbers[:290] + ["inf", "-inf"] * 5,  # so are infinite values
            "x": rng.normal(size=300)})
        TabularEncoder(max_categories=500, random_state=0).fit(codes)
        TabularEncoder(max_categories=500, random_state=0).fit(frame[["typo"]].astype("category"))


def test_numbers_kept_as_text_by_missing_words_or_separators_get_no_advice_to_model_every_value():
    # UCI hypothyroid's lab values with '?' for missing (or a European file's decimal commas) were told
    # "Raise max_categories to model them all", beside the CSV reader's right hint for the same column.
    rng = np.random.default_rng(0)
    numbers = [f"{v:.2f}" for v in rng.uniform(0, 50, 300)]
    frame = pd.DataFrame({"TSH": [("?" if i % 20 == 0 else v) for i, v in enumerate(numbers)],
                          "density": [v.replace(".", ",") for v in numbers], "x": rng.normal(size=300)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TabularEncoder(random_state=0).fit(frame)
    # A saved index ("Unnamed: 0") is row numbers however sparse (a sample of a larger table's rows).
    saved = frame[["x"]].assign(**{"Unnamed: 0": rng.choice(32_000, 300, replace=False)})
    with pytest.warns(UserWarning, match=r"Column 'Unnamed: 0' holds a different integer in every row .* an ID\?"):
        TabularEncoder(random_state=0).fit(saved)


def test_free_text_is_named_as_free_text_not_as_an_id():
    rng = np.random.default_rng(0)
    words = np.array(["late", "delivery", "customer", "asked", "for", "refund", "again", "box", "damaged"])
    frame = pd.DataFrame({"notes": [" ".join(rng.choice(words, 5)) + f" #{i}" for i in range(300)],
                          "x": rng.normal(size=300)})
    with pytest.warns(UserWarning, match=r"Column 'notes' holds free text, a different one in every row \(e\.g\. ") \
            as said:
        TabularEncoder(random_state=0).fit(frame)
    assert len(said) == 1 and "an ID" not in str(said[0].message)
    # Long cells without spaces (keys, encoded blobs) are IDs, not prose: telling them apart took
    # time growing with the square of a cell's length (26 s for 60 cells of 16,000 characters).
    blobs = frame.iloc[:60].assign(notes=[f"{i:04d}" + "x" * 16_000 for i in range(60)])
    with pytest.warns(UserWarning, match=r"Column 'notes' holds a different text in every row .* a row number or an "
                                         r"ID\?"):
        TabularEncoder(random_state=0).fit(blobs)


def test_dtypes_pandas_would_infer_otherwise_come_back_as_fitted_through_a_model_file():
    # int8 or string categories came back as int64 / object categories, an Arrow string column as a
    # StringDtype: pd.concat with the user's frame then dropped the category (or Arrow) dtype.
    pa = pytest.importorskip("pyarrow")
    n = 60
    frame = pd.DataFrame({
        "code": pd.Series(np.arange(n) % 3, dtype="int8").astype("category"),
        "word": pd.Series([f"w{i % 4}" for i in range(n)], dtype="string").astype("category"),
        "arrow_text": pd.Series([f"t{i % 2}" for i in range(n)]).astype(pd.ArrowDtype(pa.string())),
        "arrow_int": pd.Series(np.arange(n) % 5).astype(pd.ArrowDtype(pa.int64())),
        # pandas.to_numeric fails on it ("FloatingArray does not support np.float16")
        "arrow_half": pd.Series(np.linspace(-2, 2, n)).astype(pd.ArrowDtype(pa.float16())),
    })
    encoder = TabularEncoder(random_state=0).fit(frame)
    stored = TabularEncoder(random_state=0).fit(frame)
    stored.columns_ = json.loads(json.dumps(encoder.columns_))  # as a model file holds them
    decoded = stored.inverse_transform(encoder.transform(frame))
    assert decoded.dtypes.to_dict() == frame.dtypes.to_dict()
    assert pd.concat([frame, decoded]).dtypes.to_dict() == frame.dtypes.to_dict()


def test_arrow_half_floats_fit_where_pyarrow_cannot_encode_them(monkeypatch):
    # pyarrow 21 and older (an H200's image) have no dictionary encoding or `unique` for half floats:
    # the column rules' search crashed there ("no kernel matching input types (halffloat)").
    pa = pytest.importorskip("pyarrow")

    def refuse_half(method):
        def refused(self, *args, **kwargs):
            if pa.types.is_float16(self._pa_array.type):
                raise pa.lib.ArrowNotImplementedError("no kernel matching input types (halffloat)")
            return method(self, *args, **kwargs)
        return refused

    for name in ("factorize", "unique", "value_counts"):
        monkeypatch.setattr(pd.arrays.ArrowExtensionArray, name,
                            refuse_half(getattr(pd.arrays.ArrowExtensionArray, name)))
    n = 60
    frame = pd.DataFrame({
        "x": np.linspace(0, 1, n),
        "half": pd.Series(np.linspace(-2, 2, n)).astype(pd.ArrowDtype(pa.float16())),
        # few values and a missing one: the rules' searches factorize it
        "half_codes": pd.Series((np.arange(n) % 3).astype(float)).astype(pd.ArrowDtype(pa.float16())),
    })
    frame.loc[3, "half_codes"] = None
    encoder = TabularEncoder(random_state=0).fit(frame)
    decoded = encoder.inverse_transform(encoder.transform(frame))
    assert decoded.dtypes.to_dict() == frame.dtypes.to_dict()
    assert set(decoded["half_codes"].dropna()) <= {0.0, 1.0, 2.0}
    encoder.check_like_fitted(frame, source="the data")  # augment --model's check of new data


@pytest.mark.parametrize("arrow_type", ["dictionary", "decimal", "list"])
def test_columns_a_model_cannot_record_are_refused_by_name_before_fitting(arrow_type):
    # They failed after training, when the first rows were decoded, with pandas' words and no column.
    pa = pytest.importorskip("pyarrow")
    n = 20
    column = {
        "dictionary": lambda: pd.Series([f"s{i % 3}" for i in range(n)]).astype("category").astype(
            pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string()))),
        "decimal": lambda: pd.Series([1.5] * n).astype(pd.ArrowDtype(pa.float64())).astype(
            pd.ArrowDtype(pa.decimal128(10, 2))),
        "list": lambda: pd.Series(pd.array([[1, 2]] * n, dtype=pd.ArrowDtype(pa.list_(pa.int64())))),
    }[arrow_type]()
    frame = pd.DataFrame({"x": np.linspace(0, 1, n), "odd": column})
    with pytest.raises(DataValidationError, match=r"Column 'odd' has the dtype .*cannot record.*\.astype\("):
        TabularEncoder().fit(frame)


def test_categories_a_model_cannot_record_are_refused_with_the_conversion_that_works():
    # pd.cut's intervals were refused with the advice .astype('category'), which they already were.
    frame = pd.DataFrame({"x": np.linspace(0, 1, 20)})
    frame["band"] = pd.cut(frame["x"], 3)
    with pytest.raises(DataValidationError, match=r"Column 'band' is categorical with categories of type "
                                                  r"Interval.*X\['band'\]\.astype\(str\)"):
        TabularEncoder().fit(frame)
    frame["band"] = frame["band"].astype(str).astype("category")  # the advice works
    assert TabularEncoder(random_state=0).fit(frame).output_dim > 0


@pytest.mark.parametrize("y, fix", [(pd.Series([1] * 6 + [2] * 3, dtype=object), "y.astype(int)"),
                                    (np.array([True] * 6 + [False] * 3, dtype=object), "y.astype(bool)")])
def test_numbers_held_as_objects_are_refused_with_the_conversion(y, fix):
    # scikit-learn's own words were "Unknown label type: unknown. Maybe you are trying to fit a
    # classifier ... on a regression target".
    with pytest.raises(DataValidationError, match=rf"holds .* dtype object.*{re.escape(fix)}"):
        check_target(y)
    check_target(list(y))  # a list of the same values is read as classes


def test_labels_that_are_tuples_are_named_as_such():
    # They were called "numbers in a container of dtype object" with the advice y.astype(int).
    y = pd.Series([(1, 2)] * 6 + [(3, 4)] * 3)
    with pytest.raises(DataValidationError, match=r"labels of type tuple \(e\.g\. \(1, 2\)\).*y\.map\(str\)"):
        check_target(y)


@pytest.mark.parametrize("marker", [None, pd.NA, np.nan, pd.NaT], ids=["None", "NA", "nan", "NaT"])
def test_synthetic_rows_say_missing_as_the_users_object_column_does(marker):
    # They always said float NaN: a column of None then held None and NaN, and `v is None` missed some.
    n = 90
    frame = pd.DataFrame({"c": pd.Series([["x", "y", marker][i % 3] for i in range(n)], dtype=object)})
    encoder = TabularEncoder(random_state=0).fit(frame)
    decoded = encoder.inverse_transform(encoder.transform(frame))
    gaps = [value for value in decoded["c"] if not isinstance(value, str)]
    assert len(gaps) == n // 3 and all(value is marker for value in gaps)


def test_an_encoding_larger_than_memory_is_refused_naming_the_widest_column(monkeypatch):
    # A one-hot of 20,000 categories for 40,000 rows failed in numpy ("MemoryError: Unable to
    # allocate 5.96 GiB"), naming neither the column nor max_categories; past the machine's memory
    # the lazy allocation would have swapped it.
    import gan_augment.data.tabular as tabular

    X = pd.DataFrame({"x": np.arange(400.0), "c": [f"v{i % 200}" for i in range(400)]})
    encoder = TabularEncoder(max_categories=500).fit(X)
    width = encoder.output_dim
    monkeypatch.setattr(tabular, "physical_memory", lambda: 400 * (width + 200) * 4 - 1)
    with pytest.raises(DataValidationError, match=r"Encoding 400 rows for the GAN needs .* GiB \(\d+ values a row, "
                                                  r"200 of them for column 'c', one per category\), more than this "
                                                  r"machine's .*Lower max_categories \(command line: --max-categories"):
        encoder.transform(X)
    monkeypatch.setattr(tabular, "physical_memory", lambda: None)

    def no_memory(*args, **kwargs):  # a process limit (ulimit -v) below the machine's memory
        raise MemoryError("Unable to allocate")

    monkeypatch.setattr(tabular, "_encode_categorical", no_memory)
    with pytest.raises(DataValidationError, match=r"column 'c'.*more than this process could get"):
        encoder.transform(X)


def test_the_memory_refusal_names_a_group_of_dummy_columns_when_it_is_the_widest(monkeypatch):
    # The widest block was looked for among single columns only: a get_dummies group of 300 columns
    # was left out and the message blamed a 5-category column.
    import gan_augment.data.tabular as tabular

    rng = np.random.default_rng(0)
    dummies = pd.get_dummies(pd.Series(rng.integers(0, 300, 900)).astype(str), prefix="d", dtype=int)
    X = pd.concat([pd.DataFrame({"x": rng.normal(size=900), "c": rng.choice(list("abcde"), 900)}), dummies], axis=1)
    encoder = TabularEncoder().fit(X)
    monkeypatch.setattr(tabular, "physical_memory", lambda: 1)
    with pytest.raises(DataValidationError, match=r"\d+ of them for the group of \d{3} 0/1 columns from 'd_"):
        encoder.transform(X)


def test_an_object_column_of_fractions_is_read_as_its_numbers():
    # pandas.to_numeric reads fractions.Fraction as NaN: the column counts as numbers (it holds
    # only numbers), and the synthetic rows held missing values where the data had none.
    from fractions import Fraction

    from gan_augment.data.tabular import column_floats

    column = pd.Series([Fraction(1, 3), Fraction(5, 2), None, 2], dtype=object)
    np.testing.assert_allclose(column_floats(column), [1 / 3, 2.5, np.nan, 2.0])


@pytest.mark.parametrize("outlier, share", [(1e5, 0.0), (1e12, 0.0), (-1e12, 0.0), (1e9, 0.02), (9999, 0.03)])
def test_one_extreme_value_leaves_the_bulk_of_a_column_its_own_modes(outlier, share):
    # scikit-learn's mixture priors (the data's mean and variance) followed one mistyped 1e12 among
    # values of 0..10: every mode was ~1e6 wide, and the synthetic values of the bulk ran to 1e5-1e6
    # (with 2% of such values, the spreads' floor still made the bulk's modes 1,000 wide).
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 10, 600).round(2)
    values[:max(1, int(share * len(values)))] = outlier
    spec = TabularEncoder(random_state=0).fit(pd.DataFrame({"a": values})).columns_[0]
    bulk = [(mean, std) for mean, std in zip(spec["means"], spec["stds"]) if 0 <= mean <= 10]
    assert sum(w for m, w in zip(spec["means"], spec["weights"]) if 0 <= m <= 10) > 0.99 - share
    assert bulk and all(0 < std < 5 for _, std in bulk), spec
    # A column without such values keeps scikit-learn's priors: the same modes as before.
    plain = TabularEncoder(random_state=0).fit(pd.DataFrame({"a": values[values != outlier]})).columns_[0]
    assert plain["stds"] and all(0 < std < 5 for std in plain["stds"])


@pytest.mark.parametrize("far, spread", [(1e6, 900.0), (200.0, 3.0)])
def test_a_small_cluster_far_from_the_rest_gets_a_mode_of_its_own_width(far, spread):
    # The mixture's priors pulled a light cluster's mode towards the column's mean and widened it by
    # about the gap squared over its rows: 20 rows at 1e6 +- 900 beside 280 at 50 +- 10 got a mode at
    # 952,000 +- 213,000; their real values encoded into a sliver of the mode that a generator cannot
    # hit, and half the synthetic values fell below any real one of the cluster.
    rng = np.random.default_rng(0)
    values = np.r_[rng.normal(50, 10, 280), rng.normal(far, spread, 20)]
    spec = TabularEncoder(random_state=0).fit(pd.DataFrame({"a": values})).columns_[0]
    means, stds = np.asarray(spec["means"]), np.asarray(spec["stds"])
    cluster = values[280:]
    near = np.argmin(np.abs(means - cluster.mean()))
    assert abs(means[near] - cluster.mean()) < cluster.std() and stds[near] < 2 * cluster.std(), spec
    # The bulk's modes as before: within its range, about its width.
    bulk = means < 100
    assert np.all(np.abs(means[bulk] - 50) < 20) and np.all(stds[bulk] < 20), spec


def test_a_column_named_by_a_numpy_integer_is_named_plainly_in_messages():
    # X.columns = np.arange(k): X[1].name is np.int64(1), and warnings said "Column np.int64(1) has ...".
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"n": rng.normal(size=40), "c": [f"v{i % 7}" for i in range(40)]})
    X.columns = np.arange(2)
    with pytest.warns(UserWarning, match=r"^Column 1 has 7 distinct values"):
        TabularEncoder(max_categories=3, random_state=0).fit(X)
    infinite = X.copy()
    infinite.iloc[0, 0] = np.inf
    with pytest.raises(DataValidationError, match=r"^Column 0 holds infinite values"):
        TabularEncoder(random_state=0).fit(infinite)


@pytest.mark.parametrize("values", [[1e308, 0.5, 1.5, 2.5, 3.5] * 4, [-1e308, 1e308] + [0.5, 1.5, 2.5, 3.5] * 5])
def test_the_encoder_alone_refuses_magnitudes_it_cannot_fit(values):
    # The samplers refuse them first; the encoder on its own decoded real rows as inf and NaN.
    with pytest.raises(DataValidationError, match=r"^Column 'a' holds values as large as 1e\+308 in magnitude"):
        TabularEncoder(random_state=0).fit(pd.DataFrame({"a": values}))
    # Just above the limit: said as it is, not rounded to the limit ("1e+150 ... beyond the 1e+150").
    just_above = float(np.nextafter(1e150, np.inf))
    with pytest.raises(DataValidationError, match=rf"as large as {re.escape(repr(just_above))} in magnitude"):
        TabularEncoder(random_state=0).fit(pd.DataFrame({"a": [just_above] + [1.0] * 9}))


def test_new_data_is_checked_against_the_kinds_of_value_the_model_learnt():
    # The kind of an object column comes from its values: numbers the model learnt as numbers (it
    # read "text" against them), and a part of what it learnt as categories, are the same kind.
    X = pd.DataFrame({"a": np.arange(8.0), "n": pd.Series(range(8), dtype=object),
                      "mixed": pd.Series([1, "a", 2, "b"] * 2, dtype=object)})
    encoder = TabularEncoder(random_state=0).fit(X)
    encoder.check_like_fitted(X)
    encoder.check_like_fitted(X.assign(mixed=pd.Series([1, 2] * 4, dtype=object)))
    with pytest.raises(DataValidationError, match=r"Column 'n' of X holds text \('x', 'y'.*fitted on numbers"):
        encoder.check_like_fitted(X.assign(n=pd.Series(["x", "y"] * 4, dtype=object)))
    with pytest.raises(DataValidationError, match="model's kind of values.$"):  # words only: no hint
        encoder.check_like_fitted(X.assign(a=pd.Series(["x", "y"] * 4, dtype=object)))
    # Numbers written as text beside a word: a file's missing cells, which a model fitted before it kept
    # its --na-values read as numbers (the refusal named no --na-values).
    spelt = pd.Series(["1.5", "MISSING", "2", "?", "3", "4.5", "5", "6"], dtype=object)
    with pytest.raises(DataValidationError, match=r"If '\?', 'MISSING' mark missing cells, pass --na-values '\?' "
                                                  r"--na-values MISSING \(na_values= in Python\)\.$"):
        encoder.check_like_fitted(X.assign(a=spelt))
    # A new --na-values list replaces the one the data was read with: the advice repeats it.
    with pytest.raises(DataValidationError, match=r"pass --na-values NA --na-values '\?' --na-values MISSING \("):
        encoder.check_like_fitted(X.assign(a=spelt), na_values=["", "NA"])
    # A word in most cells of a sparse column is advised too; infinite numbers are not (the reader
    # says what to do with them).
    sparse = pd.Series(["MISSING"] * 6 + ["1.5", "2"], dtype=object)
    with pytest.raises(DataValidationError, match=r"If 'MISSING' marks missing cells, pass --na-values MISSING \("):
        encoder.check_like_fitted(X.assign(a=sparse))
    with pytest.raises(DataValidationError, match=r"If '\?' marks missing cells, pass --na-values '\?' \("):
        encoder.check_like_fitted(X.assign(a=pd.Series(["inf", "?", "1e309", "1", "2", "3", "4", "5"], dtype=object)))
    # Words beside a few numbers, booleans, and numbers the reader keeps as text (1_000) get no such advice.
    for column in (["red", "blue", "green", "1", "red", "blue", "green", "2.5"],
                   ["1", "2", "True", "False"] + ["4"] * 4, ["1_000", "MISSING", "3", "4", "5", "6", "7", "8"]):
        with pytest.raises(DataValidationError, match="model's kind of values.$"):
            encoder.check_like_fitted(X.assign(a=pd.Series(column, dtype=object)))


@pytest.mark.parametrize("column, kind", [
    (pd.Series(pd.to_datetime(["05/04/2021", "06/04/2021"] * 4, dayfirst=True)), "dates"),
    (pd.Series(pd.to_datetime(["05/04/2021", "06/04/2021"] * 4, dayfirst=True)).dt.tz_localize("UTC"), "dates"),
    (pd.Series(pd.period_range("2021-04", periods=2, freq="M").tolist() * 4), "dates"),
    (pd.Series(pd.to_timedelta([1, 2] * 4, unit="D")), "durations"),
])
def test_dates_in_new_data_are_not_the_date_text_a_model_learnt(column, kind):
    # augment --model on a parquet of real dates, with a model of the CSV's "05/04/2021" text: the
    # synthetic text was parsed month first (4 May) into the date column, unsaid.
    X = pd.DataFrame({"a": np.arange(8.0), "when": ["05/04/2021", "06/04/2021"] * 4})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "looks like dates"
        encoder = TabularEncoder(random_state=0).fit(X)
    with pytest.raises(DataValidationError, match=rf"Column 'when' of t.parquet holds {kind} .*fitted on text in it"):
        encoder.check_like_fitted(X.assign(when=column), source="t.parquet")


@pytest.mark.parametrize("values, match", [
    ([1, 1.0, "a", 2.5], r"Column 'm' holds 1 \(int\) and 1.0 \(float\), which Python counts as one value"),
    ([2.0, "b", np.float64(1.0), True], r"Column 'm' mixes booleans with numbers"),
])
def test_values_python_takes_as_one_but_written_differently_are_refused(values, match):
    # 1 and 1.0 became one category: the float never came back, unsaid.
    frame = pd.DataFrame({"a": np.arange(24.0), "m": pd.Series(values * 6, dtype=object)})
    with pytest.raises(DataValidationError, match=match):
        TabularEncoder(random_state=0).fit(frame)
    with pytest.raises(DataValidationError, match=match):
        TabularEncoder().check_values(frame)  # the same refusal, without fitting
    TabularEncoder(random_state=0).fit(frame.assign(m=pd.Series([1, np.int64(1), "a", 2.5] * 6, dtype=object)))
    # Numbers only: modelled as numbers, where 1 and 1.0 are one value (a check of this stop refused them).
    numbers = frame.assign(m=pd.Series([1, 1.0, 2.5, np.float64(3)] * 6, dtype=object))
    TabularEncoder().check_values(numbers)
    assert TabularEncoder(random_state=0).fit(numbers).columns_[1]["kind"] == "numeric"
    # Unless the column is named categorical: the check without fitting read it as numbers.
    named = TabularEncoder(categorical_columns=["m"])
    for refuse in (named.check_values, named.fit):
        with pytest.raises(DataValidationError, match=r"Column 'm' holds 1 \(int\) and 1.0 \(float\)"):
            refuse(numbers)



_INT_DTYPES = ["int8", "uint8", "int32", "int64", "uint64", "Int16", "Int64", "UInt64", "int64[pyarrow]"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dtype=st.sampled_from(_INT_DTYPES),
       values=st.one_of(  # values float64 holds exactly (numpy), and values beyond (the loop)
           st.lists(st.one_of(st.floats(-300, 300), st.just(float("nan"))), min_size=1, max_size=40),
           st.lists(st.one_of(st.floats(-1e20, 1e20), st.sampled_from([2.0 ** 53, -2.0 ** 53, 2.0 ** 53 + 2, -0.5])),
                    min_size=1, max_size=40)),
       int_range=st.one_of(st.none(), st.tuples(st.integers(-2 ** 62, 100), st.integers(101, 2 ** 62))))
def test_decoded_whole_numbers_are_truncated_and_clipped_as_python_ints_would_be(dtype, values, int_range):
    # Decoded whole numbers are clipped to the column's range as integers (numpy where float64
    # holds them exactly, a Python loop otherwise); both must give what Python's int() and the
    # range give, in the column's dtype, or refuse alike.
    dtype = pd.Series([], dtype=dtype).dtype
    if int_range is None:  # clip_to_range=False: the dtype's own range
        info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
        low, high = int(info.min), int(info.max)
    else:
        low, high = int_range
    spec = {"dtype": dtype_to_json(dtype), "kind": "numeric", "is_integer": True}
    if int_range is not None:
        spec["int_range"] = list(int_range)
    expected = [None if np.isnan(v) else min(max(int(v), low), high) for v in values]
    try:
        reference = pd.Series(expected, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        with pytest.raises((TypeError, ValueError, OverflowError)):
            _restore_dtype(pd.Series(values, dtype=np.float64), spec)
        return
    decoded = _restore_dtype(pd.Series(values, dtype=np.float64), spec)
    pd.testing.assert_series_equal(decoded, reference)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, "Float32"])
def test_a_narrow_float_column_decodes_finite_values_without_the_observed_range(dtype):
    # clip_to_range=False: the top mode's far end (float16: 64731 + 4 x 575) became inf in the
    # column's dtype, and the fit failed after training in the collapse check, naming no column.
    largest = float(np.finfo(np.float16 if dtype == np.float16 else np.float32).max)
    values = np.random.default_rng(0).uniform(0.92, 1.0, 300) * largest
    frame = pd.DataFrame({"v": pd.Series(values).astype(dtype)})
    encoder = TabularEncoder(clip_to_range=False, random_state=0).fit(frame)
    decoded = encoder.inverse_transform(_random_rows(encoder, 500, seed=1), random_state=0)["v"]
    assert decoded.dtype == frame["v"].dtype
    floats = decoded.to_numpy(dtype=np.float64)
    assert np.isfinite(floats).all() and floats.max() == largest  # some rows went beyond: clipped there


@pytest.mark.parametrize("value", [2 ** 53 + 1, -(2 ** 53) - 1])
def test_whole_numbers_just_beyond_2_53_keep_their_exact_range_and_are_said(value):
    # Compared as float64, 2**53 + 1 was 2**53, not beyond it: a constant column decoded to a value
    # it never held, without the warning that values beyond 2**53 get.
    frame = pd.DataFrame({"code": np.full(60, value, dtype=np.int64), "x": np.arange(60.0)})
    with pytest.warns(UserWarning, match=r"Column 'code' holds whole numbers beyond 2\*\*53"):
        encoder = TabularEncoder(random_state=0).fit(frame)
    decoded = encoder.inverse_transform(_random_rows(encoder, 100, seed=1), random_state=0)
    assert set(decoded["code"]) == {value}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 2**53 itself is held exactly by a float64: nothing to say
        TabularEncoder(random_state=0).fit(pd.DataFrame({"code": np.full(60, 2 ** 53, dtype=np.int64)}))


@pytest.mark.parametrize("base", [2 ** 53, 2 ** 62])
def test_integer_categories_beyond_2_53_decode_to_the_values_held(base):
    # Decoded through float64, the codes 2**53 + 3 and + 5 came back as 2**53 + 4, a value no row
    # holds (2**62 + anything: 2**62); a category is one of the column's values, exactly.
    codes = base + np.random.default_rng(0).choice([1, 3, 5], 90)
    frame = pd.DataFrame({"code": codes.astype(np.int64), "text": pd.Series([int(v) for v in codes], dtype=object),
                          "x": np.arange(90.0)})
    encoder = TabularEncoder(categorical_columns=["code", "text"], random_state=0).fit(frame)
    decoded = encoder.inverse_transform(_random_rows(encoder, 300, seed=1), random_state=0)
    assert decoded["code"].dtype == np.int64
    assert set(decoded["code"].tolist()) == {base + 1, base + 3, base + 5}
    assert set(decoded["text"]) == {base + 1, base + 3, base + 5}


def test_rounded_synthetic_values_hold_no_negative_zero():
    # np.round(-0.04, 1) is -0.0, which to_csv writes "-0.0" where the real column has no such value.
    values = np.round(np.random.default_rng(0).normal(0, 0.3, 300), 1) + 0.0
    encoder = TabularEncoder(random_state=0).fit(pd.DataFrame({"v": values, "n": np.round(values * 3)}))
    decoded = encoder.inverse_transform(_random_rows(encoder, 2000, seed=1), random_state=0)
    for column in ("v", "n"):
        zeros = decoded[column].to_numpy()[decoded[column].to_numpy() == 0]
        assert len(zeros) and not np.signbit(zeros).any()


def test_a_time_zone_arrow_timestamp_column_gets_the_dates_advice():
    # It was told to try .astype('category') (refused next: categories of Timestamp) or .astype(float).
    pa = pytest.importorskip("pyarrow")
    stamps = pd.Series(pd.date_range("2021-03-27", periods=8, freq="6h", tz="Europe/Berlin"))
    arrow = pd.ArrowDtype(pa.timestamp("ms", tz="Europe/Berlin"))
    frame = pd.DataFrame({"a": np.arange(8.0), "when": stamps.astype(arrow)})
    with pytest.raises(DataValidationError, match=r"Column 'when' has dtype timestamp\[ms, tz=Europe/Berlin\]"
                                                  r"\[pyarrow\]; convert dates and durations to numbers"):
        TabularEncoder(random_state=0).fit(frame)


def test_the_other_slot_is_decoded_by_each_classs_own_rare_values():
    # One frequency table for all: 80% of a rare class's rows came back with rare values only other
    # classes hold (an ID-like column: every synthetic row another class's IDs).
    rng = np.random.default_rng(0)
    towns = ([f"M{i}" for i in rng.integers(0, 5, 200)] + [f"Mrare{i}" for i in rng.integers(0, 200, 200)]
             + [f"R{i % 4}" for i in range(40)])  # class 1: four rare towns of its own, 10 rows each
    X, y = pd.DataFrame({"town": towns}), np.array([0] * 400 + [1] * 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the column's "shared slot" advice
        encoder = TabularEncoder(max_categories=5, random_state=0).fit(X, y)
    rare_rows = encoder.transform(X[y == 1], random_state=0)
    back = encoder.inverse_transform(np.repeat(rare_rows, 50, axis=0), random_state=0, classes=1)["town"]
    assert set(back) == {"R0", "R1", "R2", "R3"}
    assert back.value_counts(normalize=True).between(0.2, 0.3).all()  # their shares in the class: 1/4 each
    common = encoder.inverse_transform(encoder.transform(X[y == 0], random_state=0), random_state=0,
                                       classes=np.zeros(400, dtype=int))["town"]
    assert not common.str.startswith("R").any()
    # Without the classes (or fitted without y): the whole column's frequencies, as before.
    unclassed = encoder.inverse_transform(np.repeat(rare_rows, 50, axis=0), random_state=0)["town"]
    assert back.nunique() < unclassed.nunique()
    # Kept by a model file.
    loaded = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    assert loaded.inverse_transform(np.repeat(rare_rows, 50, axis=0), random_state=0, classes=1)["town"].equals(back)



def test_the_per_class_rare_values_are_kept_sparse_and_out_of_checkpoint_fingerprints():
    # Dense per-class lists made a model of an ID column with 100 classes 16x larger; and the new key,
    # read only by decoding, made checkpoints written before it refuse to resume.
    rng = np.random.default_rng(0)
    X, y = pd.DataFrame({"id": [f"i{k}" for k in range(4000)]}), rng.integers(0, 100, 4000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = TabularEncoder(max_categories=5, random_state=0).fit(X, y)
    by_class = encoder.columns_[0]["other_probs_by_class"]
    assert sum(len(positions) for positions, _ in by_class) == 4000 - 5  # one entry per rare value held
    assert "other_probs_by_class" not in json.dumps(encoder.training_dict())
    assert encoder.training_dict()["columns"][0] == {k: v for k, v in encoder.to_dict()["columns"][0].items()
                                                     if k != "other_probs_by_class"}


def test_text_with_a_lone_surrogate_is_found_anywhere_and_a_column_name_is_called_one():
    values = pd.Series(["p", "q", "r"] * 10, dtype=object)
    values[17] = "caf\udce9"  # not the first text: check_values read only the first value of each type
    with pytest.raises(DataValidationError, match=r"Column 'k' holds the value 'caf\\udce9', text with a lone"):
        TabularEncoder().check_values(pd.DataFrame({"k": values}))
    named = pd.DataFrame({"x": np.arange(30.0)})
    named.columns = pd.Index(["caf\udce9"], dtype=object)
    with pytest.raises(DataValidationError, match=r"X has a column named 'caf\\udce9', text with a lone"):
        TabularEncoder().fit(named)



def test_a_model_file_with_the_per_class_rare_values_dense_still_decodes():
    # Files of a few commits kept each class's frequencies over every rare value: read as they are.
    X, y = pd.DataFrame({"c": list("aaaabbbcd") * 4}), np.array([0, 0, 0, 0, 0, 1, 1, 1, 1] * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = TabularEncoder(max_categories=2, random_state=0).fit(X, y)
    data = encoder.to_dict()
    spec = data["columns"][0]
    rare = len(spec["other"])
    dense = []
    for entry in spec["other_probs_by_class"]:
        if entry is None:
            dense.append(None)
            continue
        row = [0.0] * rare
        for position, prob in zip(*entry):
            row[position] = prob
        dense.append(row)
    spec["other_probs_by_class"] = dense
    old = TabularEncoder.from_dict(data)
    rows = encoder.transform(X, random_state=0)
    assert old.inverse_transform(rows, random_state=0, classes=y).equals(
        encoder.inverse_transform(rows, random_state=0, classes=y))


def test_a_rare_class_in_a_range_of_its_own_round_trips():
    # A class under 0.5% of the rows had its mixture mode dropped as too light: its real rows all
    # encoded onto another mode's edge and decoded to one value (12.35 for rows in 50..60).
    rng = np.random.default_rng(5)
    X = pd.DataFrame({"a": np.r_[np.round(rng.uniform(0, 10, 1992), 2), np.round(rng.uniform(50, 60, 8), 2)]})
    y = np.r_[np.zeros(1992, int), np.ones(8, int)]
    encoder = TabularEncoder(random_state=0).fit(X, y)
    back = encoder.inverse_transform(encoder.transform(X[y == 1], random_state=0), random_state=0, classes=1)["a"]
    np.testing.assert_allclose(back.to_numpy(), X["a"][y == 1].to_numpy())


def test_a_value_most_of_a_class_holds_is_an_exact_mode():
    # A rare class all zeros, under the 5% of the column that makes a point mass, came back as
    # -3.2e-07 and the like, and its synthetic rows were never exactly 0.
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": np.r_[rng.normal(0, 50.0, 575), np.zeros(25)]})
    y = np.r_[np.zeros(575, int), np.ones(25, int)]
    encoder = TabularEncoder(random_state=0).fit(X, y)
    back = encoder.inverse_transform(encoder.transform(X[y == 1], random_state=0), random_state=0, classes=1)["a"]
    assert (back == 0.0).all() and 0.0 in encoder.columns_[0]["means"]


@pytest.mark.parametrize("rows", [2, 3, 4])
def test_a_value_every_row_of_a_small_class_holds_is_an_exact_mode(rows):
    # Under the 5 rows that make a class's value a mode of its own, a class of 3 rows all at 7.5
    # encoded onto a wide mode of the column, and its synthetic values ran from 3 to 10.
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": np.r_[rng.normal(0, 50.0, 300), np.full(rows, 7.5)]})
    y = np.r_[np.zeros(300, int), np.ones(rows, int)]
    encoder = TabularEncoder(random_state=0).fit(X, y)
    back = encoder.inverse_transform(encoder.transform(X[y == 1], random_state=0), random_state=0, classes=1)["a"]
    assert (back == 7.5).all() and 7.5 in encoder.columns_[0]["means"]
    # Two values in a class of a few are no such value.
    X.iloc[-1, 0] = 8.5
    assert 7.5 not in TabularEncoder(random_state=0).fit(X, y).columns_[0]["means"]


def test_classes_add_no_modes_where_the_columns_own_serve_every_class():
    from sklearn.datasets import load_iris, load_wine

    for loader in (load_iris, load_wine):
        X, y = loader(return_X_y=True, as_frame=True)
        with_y = TabularEncoder(random_state=0).fit(X, y.to_numpy()).columns_
        without = TabularEncoder(random_state=0).fit(X).columns_
        # Weights too: they are in checkpoints' fingerprints (renormalised, their last bits moved).
        assert [(spec["means"], spec["stds"], spec["weights"]) for spec in with_y] == \
            [(spec["means"], spec["stds"], spec["weights"]) for spec in without]


def test_modes_added_for_classes_are_at_most_max_modes():
    # 200 classes, each holding a value of its own: ~200 modes a column, whatever max_modes said.
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(3000, int), np.repeat(np.arange(1, 201), 6)]
    own = np.repeat(np.round(rng.uniform(-3, 3, 200), 3), 6)
    X = pd.DataFrame({"c": np.r_[np.round(rng.normal(0, 1, 3000), 3), own]})
    for most in (1, 10):
        without = len(TabularEncoder(random_state=0, max_modes=most).fit(X).columns_[0]["means"])
        with_y = len(TabularEncoder(random_state=0, max_modes=most).fit(X, y).columns_[0]["means"])
        assert without < with_y <= without + most


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "category", object])
def test_a_decode_table_longer_than_the_rows_decodes_as_the_whole_table(dtype):
    # A table longer than the rows is cut to the entries the rows take (converting all of an ID
    # column's rare values at each call was most of a many-class top-up): the same values, in order.
    from gan_augment.data._dtypes import dtype_to_json
    from gan_augment.data.tabular import _categorical_values

    column = pd.Series([f"id{i}" for i in range(50)] + [None], dtype=dtype)
    spec = {"categories": [f"id{i}" for i in range(10)], "other": [f"id{i}" for i in range(10, 50)],
            "has_missing": True, "missing_value": "nan", "dtype": dtype_to_json(column.dtype)}
    expected = pd.Series(spec["categories"] + spec["other"] + [np.nan], dtype=object).astype(column.dtype)
    for codes in (np.array([50, 3, 42, 3, 17]), np.arange(51)[::-1], np.array([7])):
        decoded = _categorical_values(codes, spec)
        pd.testing.assert_series_equal(decoded, expected.take(codes).reset_index(drop=True))


def test_nan_marked_arrow_strings_of_any_pandas_version_are_stored_by_one_name():
    # pandas 2.1-2.2 call them StringDtype("pyarrow_numpy"): a model saved there stored that name,
    # which pandas 3 refuses ("Storage must be 'python' or 'pyarrow'") and pandas 2.3 warns about.
    import warnings

    pytest.importorskip("pyarrow")
    from gan_augment.data._dtypes import dtype_from_json, dtype_to_json

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecation of the old name reaches the user
        from_old_file = dtype_from_json({"string": "pyarrow_numpy", "na_value": "nan"})
    assert from_old_file.storage in ("pyarrow", "pyarrow_numpy") and from_old_file.na_value is not pd.NA
    assert dtype_to_json(from_old_file) == {"string": "pyarrow", "na_value": "nan"}
    assert dtype_from_json(dtype_to_json(from_old_file)) == from_old_file
    column = pd.Series(["x", None], dtype=from_old_file)
    assert column.isna().tolist() == [False, True] and column.iloc[1] is not pd.NA


def test_columns_warned_of_alike_are_named_in_one_warning():
    # An export of 160 awkward columns printed 160 paragraphs before training.
    n = 60
    dates = pd.date_range("2020-01-01", periods=n).strftime("%Y-%m-%d").tolist()
    rng = np.random.default_rng(0)
    X = pd.DataFrame({**{f"date{i}": dates for i in range(6)},
                      **{f"money{i}": [f"${v:,.2f}" for v in rng.uniform(1000, 5000, n)] for i in range(3)},
                      "x": rng.normal(size=n)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TabularEncoder(random_state=0).fit(X)
    said = [str(w.message) for w in caught]
    about_dates = [text for text in said if "looks like dates" in text]
    assert len(about_dates) == 1 and about_dates[0].startswith("Column 'date0' looks like dates (e.g. '2020-01-01')")
    assert about_dates[0].endswith("The same holds for 5 more columns: 'date1', 'date2', 'date3', 'date4', 'date5'.")
    # A few columns of a kind are each warned of as before, with their own example.
    about_money = [text for text in said if "numbers written as text" in text]
    assert [text.split("'")[1] for text in about_money] == ["money0", "money1", "money2"]
    assert all("The same holds" not in text for text in about_money)


def test_column_warnings_said_before_a_later_column_fails_and_named_alike_in_every_fold():
    # The columns' warnings are said after the last column: a later column's failure lost them.
    X = pd.DataFrame({"id": np.arange(60), ("a", 0): np.arange(60) % 3})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DataValidationError):
            TabularEncoder(random_state=0).fit(X)
    assert any(str(w.message).startswith("Column 'id' holds a different integer in every row") for w in caught)
    # The gist, said where cross-validation folds' figures differ, names the other columns too.
    ids = pd.DataFrame({f"id{i}": np.arange(60) + 100 * i for i in range(5)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TabularEncoder(random_state=0).fit(ids)
    [warning] = caught
    assert warning.message.gist.endswith("The same holds for 4 more columns: 'id1', 'id2', 'id3', 'id4'.")
