"""News sections: the API and the evaluation gate on the committed model file."""

from __future__ import annotations

from mediawatch.classifiers import train_sections
from tests.support.paths import DATASETS as DEFAULT_DATASETS
from mediawatch.classifiers.modelio import MODELS_DIR, read_floors
from mediawatch.classifiers.sections import SECTION_NAMES_VI, load_sections


def test_predicts_known_sections():
    model = load_sections()
    out = model.predict(["Đội tuyển Việt Nam thắng Thái Lan 2-0 ở vòng loại, tiền đạo lập cú đúp",
                         "Giá vàng tăng mạnh, chứng khoán giảm điểm, doanh nghiệp xuất khẩu gặp khó",
                         "Bác sĩ khuyến cáo cách phòng bệnh sốt xuất huyết và chăm sóc bệnh nhân", ""])
    assert out[:3] == ["The thao", "Kinh doanh", "Suc khoe"]
    assert all(label in SECTION_NAMES_VI for label in out)


def test_model_file_is_small():
    assert (MODELS_DIR / "sections.skops").stat().st_size < 10_000_000


def test_gate_held_out_scores_stay_above_floors():
    floors = read_floors()["sections"]
    _, held = train_sections.splits(DEFAULT_DATASETS)
    scores = train_sections.score(load_sections(), held)
    below = {k: (scores[k], floor) for k, floor in floors.items() if scores[k] < floor}
    assert not below, f"scores below floors: {below}"
