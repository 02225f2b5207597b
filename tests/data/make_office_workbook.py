"""Writes tests/roots/office-plan/tables/重点工程项目表.xlsx as an office keeps such a table in
Excel: a title and a unit line above a two-row header of merged cells, amounts typed as numbers,
periods typed as text in three ways, and the office's own 合计 row. Run it to regenerate the file."""
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

TARGET = Path(__file__).parents[1] / "roots" / "office-plan" / "tables" / "重点工程项目表.xlsx"
HEADER = ["序号", "所在区/县", "项目名称", "项目名称（英文）", "建设年限", "总投资", "2021年投资", None, "责任单位"]
SUBHEADER = [None, None, None, None, None, None, "计划", "已完成", None]
ROWS = [
    [1, "城东区", "江州钢铁有限公司超低排放改造", "Ultra-Low Emission Retrofit of Jiangzhou Iron and Steel Co., Ltd.", "2019.8-2022.8", 12.0, 4.5, 1.2, "市工业和信息化局"],
    [2, "城西区", "江州焦化厂干熄焦工程", "Coke Dry Quenching Project of Jiangzhou Coking Plant", "2021年3月-2022年12月", 6.8, 3.0, 0.5, "市生态环境局"],
    [3, "河北县", "县城集中供热热源改造", "Retrofit of the Heat Source for Central Heating in the County Seat", "2020—2021", 2.4, 1.0, 1.0, "河北县人民政府"],
    [4, "城东区", "公交车新能源替代", "Replacement of Buses with New-Energy Vehicles", "2021", 3.0, 3.0, 0.8, "市交通运输局"],
]


def main() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "附件1"
    sheet.append(["江州市2021年大气污染防治重点工程项目表"])
    sheet.merge_cells("A1:I1")
    sheet.append([None] * 8 + ["单位：亿元"])
    sheet.append(HEADER)
    sheet.append(SUBHEADER)
    for column in "ABCDEFI":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("G3:H3")
    for row in ROWS:
        sheet.append(row)
    sheet.append(["合计", None, None, None, None, 24.2, 11.5, 3.5, None])
    sheet.merge_cells(f"A{sheet.max_row}:E{sheet.max_row}")
    for row in sheet.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in sheet.iter_rows(min_row=5, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "0.0"
    book.save(TARGET)


if __name__ == "__main__":
    main()
