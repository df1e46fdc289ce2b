"""`manage.py verify_draw ID`: recompute a draw's commitment and selection from its published
lists and seed, as anyone can; exit 0 when everything matches."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bianmin.standards import drawing, selectors
from bianmin.standards.services import draw_problems


class Command(BaseCommand):
    help = "独立复算双随机抽查：承诺值、名录哈希与抽中名单"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("draw_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        draw = selectors.draw_any(pk=options["draw_id"])
        if draw is None:
            raise CommandError(f"没有编号为 {options['draw_id']} 的抽查")
        self.stdout.write(f"抽查 {draw.pk}：{draw.name}（{draw.get_status_display()}）")
        self.stdout.write(
            f"对象名录 {len(draw.object_list)} 个，SM3 = {drawing.list_hash(draw.object_list)}"
        )
        self.stdout.write(
            f"人员名录 {len(draw.inspectors)} 人，SM3 = {drawing.list_hash(draw.inspectors)}"
        )
        self.stdout.write(f"回避关系 SM3 = {drawing.conflicts_hash(draw.conflicts)}")
        if not draw.selected_objects:
            raise CommandError("尚未抽取：种子未公开，只能核对名录哈希")
        problems = draw_problems(draw)
        selection = drawing.select(
            seed=draw.seed,
            objects=draw.object_list,
            inspectors=draw.inspectors,
            conflicts=draw.conflicts,
            k=draw.k,
            inspectors_k=draw.inspectors_k,
        )
        if selection is None:
            problems.append("按公布的种子与名录无法抽出足够的检查人员")
        else:
            if selection.objects != draw.selected_objects:
                problems.append("复算的抽中对象与公布的不一致")
            if selection.inspectors != draw.selected_inspectors:
                problems.append("复算的抽中检查人员与公布的不一致")
        self.stdout.write(f"承诺值 {draw.commitment}")
        self.stdout.write(f"种子 {draw.seed}")
        self.stdout.write(f"抽中对象 {', '.join(draw.selected_objects)}")
        self.stdout.write(f"抽中检查人员 {', '.join(draw.selected_inspectors)}")
        if problems:
            raise CommandError("；".join(problems))
        self.stdout.write("核验通过：承诺值、名录与抽中名单全部一致")
