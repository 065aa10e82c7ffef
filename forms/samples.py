"""A hand-built Composition of a Dongcheng convenience store that sells tobacco and books.

Used by the forms tests, the render benchmark and style previews: it exercises every part of
the templates (five material statuses, a material shared by four permits, merged variants, two
commitments, a non-mergeable permit as its own sheet, a dependency between permits). Its facts
are illustrative, not legal advice; the real ones come from the rule packs through the composer.
"""

from __future__ import annotations

from datetime import date

from composer.model import (
    Commitment,
    CommitmentOut,
    Composition,
    Dependency,
    ElementOut,
    FieldOut,
    Form,
    FormSection,
    MaterialOut,
    Notice,
    PackRef,
    PermitOut,
    Reason,
    Savings,
    Sheet,
    Span,
    Step,
    Tally,
)

AS_OF = date(2026, 11, 26)


def sample_composition(locale: str = "zh") -> Composition:
    """The sample in ``locale`` ('zh' or 'en')."""
    en = locale.startswith("en")

    def t(zh: str, english: str) -> str:
        return english if en else zh

    def span(days: int, unit: str = "working", working: int | None = None) -> Span:
        if unit == "working":
            text = t(f"{days}个工作日", f"{days} working days" if days != 1 else "1 working day")
        else:
            text = t(f"{days}日", f"{days} days")
        return Span(days=days, unit=unit, working_days=days if working is None else working, text=text)

    market = t("区市场监督管理局", "District Administration for Market Regulation")
    tobacco_dept = t("区烟草专卖局", "District Tobacco Monopoly Bureau")
    fire_dept = t("区消防救援支队", "District Fire and Rescue Detachment")
    culture = t("区文化和旅游局", "District Bureau of Culture and Tourism")

    names = {
        "food_business": t("食品经营许可", "Food business license"),
        "tobacco_retail": t("烟草专卖零售许可", "Tobacco retail license"),
        "fire_safety_check": t(
            "公众聚集场所投入使用、营业前消防安全检查", "Fire-safety inspection before opening a public venue"
        ),
        "publication_retail": t("出版物零售业务经营许可", "Publication retail license"),
    }

    permits = [
        PermitOut(
            id="food_business",
            name=names["food_business"],
            kind="license",
            department="market",
            department_name=market,
            legal_basis=["《中华人民共和国食品安全法》第三十五条", "《食品经营许可和备案管理办法》第十条"],
            statutory_limit=span(20),
            committed_limit=span(10),
            effective_limit=span(1),
            validity_years=5,
            fee_yuan=0,
            inspection=True,
            mergeable=True,
            commitment=Commitment(eligible=True, chosen=True, mode="full"),
            depends_on=[],
            stage=1,
            conditions=[
                t("具有与经营的食品品种、数量相适应的经营场所", "Premises suited to the kinds and quantity of food sold"),
                t("配备食品安全管理人员", "A food-safety manager"),
                t("具有冷藏、冷冻等设备设施", "Refrigeration and freezing equipment"),
                t("建立食品安全管理制度", "Food-safety management rules"),
            ],
        ),
        PermitOut(
            id="tobacco_retail",
            name=names["tobacco_retail"],
            kind="license",
            department="tobacco",
            department_name=tobacco_dept,
            legal_basis=["《中华人民共和国烟草专卖法》第十六条", "《中华人民共和国烟草专卖法实施条例》第十条"],
            statutory_limit=span(20),
            committed_limit=span(15),
            effective_limit=span(15),
            validity_years=5,
            fee_yuan=0,
            inspection=True,
            mergeable=True,
            commitment=Commitment(
                eligible=False,
                reason=t("须现场核查经营场所与中小学校、幼儿园的距离", "The distance to schools must be checked on site"),
            ),
            depends_on=[],
            stage=1,
            conditions=[
                t("有与经营烟草制品零售业务相适应的资金", "Funds suited to tobacco retail"),
                t("有固定的经营场所，距中小学校、幼儿园不少于100米", "Fixed premises at least 100 m from schools"),
            ],
        ),
        PermitOut(
            id="fire_safety_check",
            name=names["fire_safety_check"],
            kind="inspection",
            department="fire",
            department_name=fire_dept,
            legal_basis=["《中华人民共和国消防法》第十五条"],
            statutory_limit=span(10),
            committed_limit=span(5),
            effective_limit=span(1),
            validity_years=None,
            fee_yuan=0,
            inspection=True,
            mergeable=True,
            commitment=Commitment(eligible=True, chosen=True, mode="full"),
            depends_on=[],
            stage=1,
            conditions=[
                t("消防设施、器材配置符合国家标准", "Fire equipment meets the national standards"),
                t("建立消防安全制度", "Fire-safety rules"),
            ],
        ),
        PermitOut(
            id="publication_retail",
            name=names["publication_retail"],
            kind="license",
            department="culture",
            department_name=culture,
            legal_basis=["《出版管理条例》第三十七条"],
            statutory_limit=span(20),
            committed_limit=None,
            effective_limit=span(20),
            validity_years=None,
            fee_yuan=0,
            inspection=False,
            mergeable=False,
            commitment=Commitment(
                eligible=False, reason=t("本事项暂未纳入告知承诺目录", "Not in the notify-and-commit catalogue yet")
            ),
            depends_on=[
                Dependency(
                    permit="fire_safety_check",
                    name=names["fire_safety_check"],
                    uses="fire_opinion",
                    uses_name=t("消防安全检查意见书", "Fire-safety inspection opinion"),
                )
            ],
            stage=2,
            conditions=[
                t("有确定的名称、经营范围", "A defined name and business scope"),
                t("有与出版物零售业务相适应的设备和固定的经营场所", "Equipment and fixed premises for publication retail"),
            ],
        ),
    ]

    def field(id_: str, zh: str, english: str, type_: str, permits: list[str], **kw: object) -> FieldOut:
        return FieldOut(id=id_, label=t(zh, english), type=type_, permits=permits, **kw)

    everyone = ["food_business", "tobacco_retail", "fire_safety_check", "publication_retail"]
    merged = ["food_business", "tobacco_retail", "fire_safety_check"]
    sections = [
        FormSection(
            id="applicant",
            title=t("申请人信息", "Applicant"),
            fields=[
                field("applicant_name", "申请人名称", "Applicant name", "text", everyone, required=True, max_length=100),
                field("uscc", "统一社会信用代码", "Unified social credit code", "uscc", everyone, required=True),
                field(
                    "legal_rep", "法定代表人（负责人）", "Legal representative", "text", everyone, required=True, max_length=50
                ),
                field(
                    "legal_rep_id", "法定代表人身份证号码", "Legal representative's ID number", "id_number", merged, required=True
                ),
                field("contact_phone", "联系电话", "Contact phone", "phone", everyone, required=True),
                field("email", "电子邮箱", "Email", "email", ["food_business"], required=False),
                field(
                    "entity_type",
                    "主体类型",
                    "Type of entity",
                    "choice",
                    ["tobacco_retail"],
                    required=True,
                    options=[
                        ("individual", t("个体工商户", "Individual business")),
                        ("llc", t("有限责任公司", "Limited liability company")),
                        ("partnership", t("合伙企业", "Partnership")),
                    ],
                ),
            ],
        ),
        FormSection(
            id="premises",
            title=t("经营场所", "Premises"),
            fields=[
                field(
                    "premises_address", "经营场所地址", "Address of the premises", "text", everyone, required=True, max_length=200
                ),
                field(
                    "premises_area",
                    "经营面积",
                    "Floor area",
                    "number",
                    merged,
                    required=True,
                    unit="㎡",
                    min=1,
                    max=100000,
                    prefill=80,
                ),
                field(
                    "school_distance",
                    "与最近中小学校、幼儿园的距离",
                    "Distance to the nearest school",
                    "number",
                    ["tobacco_retail"],
                    required=True,
                    unit="m",
                    min=0,
                    max=100000,
                    help=t("按步行最短距离填写", "The shortest walking distance"),
                ),
                field("lease_end", "场所租赁到期日", "Lease end date", "date", ["tobacco_retail"], required=False),
            ],
        ),
        FormSection(
            id="equipment",
            title=t("设备设施", "Equipment"),
            fields=[
                field(
                    "has_cold_storage", "配备冷藏冷冻设备", "Refrigeration equipment", "boolean", ["food_business"], required=True
                ),
                field(
                    "extinguishers",
                    "灭火器数量",
                    "Number of fire extinguishers",
                    "number",
                    ["fire_safety_check"],
                    required=True,
                    unit=t("具", "units"),
                    min=1,
                    max=1000,
                ),
            ],
        ),
        FormSection(
            id="capital",
            title=t("资金", "Capital"),
            fields=[
                field(
                    "tobacco_funds",
                    "烟草经营资金",
                    "Funds for tobacco retail",
                    "number",
                    ["tobacco_retail"],
                    required=True,
                    unit=t("万元", "10k yuan"),
                    min=0,
                    max=100000,
                )
            ],
        ),
        FormSection(
            id="personnel",
            title=t("人员", "Personnel"),
            fields=[
                field(
                    "food_safety_manager",
                    "食品安全管理人员",
                    "Food-safety manager",
                    "text",
                    ["food_business"],
                    required=True,
                    max_length=50,
                ),
                field(
                    "staff_count",
                    "从业人员数",
                    "Number of staff",
                    "number",
                    merged,
                    required=True,
                    unit=t("人", "people"),
                    min=1,
                    max=10000,
                ),
            ],
        ),
        FormSection(
            id="management",
            title=t("管理制度", "Management systems"),
            fields=[
                field(
                    "food_rules_in_place",
                    "已建立食品安全管理制度",
                    "Food-safety rules in place",
                    "boolean",
                    ["food_business"],
                    required=True,
                ),
            ],
        ),
        FormSection(
            id="other",
            title=t("其他", "Other"),
            fields=[
                field("opening_date", "拟开业日期", "Planned opening date", "date", everyone, required=True),
                field("remarks", "备注", "Remarks", "textarea", everyone, required=False, max_length=500),
            ],
        ),
    ]
    sheets = [
        Sheet(
            permit="publication_retail",
            title=t("出版物零售业务经营许可申请表", "Publication retail license application"),
            fields=[
                field(
                    "applicant_name",
                    "申请人名称",
                    "Applicant name",
                    "text",
                    ["publication_retail"],
                    required=True,
                    max_length=100,
                ),
                field(
                    "publication_categories",
                    "经营出版物类别",
                    "Kinds of publications",
                    "choice",
                    ["publication_retail"],
                    required=True,
                    options=[
                        ("books", t("图书", "Books")),
                        ("periodicals", t("报纸、期刊", "Newspapers and periodicals")),
                        ("av", t("音像制品、电子出版物", "Audio-visual and electronic publications")),
                    ],
                ),
                field(
                    "publication_area",
                    "出版物经营面积",
                    "Floor area for publications",
                    "number",
                    ["publication_retail"],
                    required=True,
                    unit="㎡",
                    min=1,
                    max=100000,
                ),
            ],
        ),
    ]

    materials = [
        MaterialOut(
            key="business_license",
            name=t("营业执照", "Business license"),
            variants=[],
            permits=everyone,
            status="exempt",
            note=t("通过电子证照库调取，无需提交", "Fetched from the e-license library; nothing to submit"),
        ),
        MaterialOut(
            key="legal_rep_id",
            name=t("法定代表人身份证明", "Legal representative's ID"),
            variants=[],
            permits=["food_business", "tobacco_retail", "publication_retail"],
            status="submit",
        ),
        MaterialOut(
            key="premises_proof",
            name=t("经营场所使用证明（产权证明或租赁合同）", "Proof of the right to use the premises"),
            variants=[],
            permits=["tobacco_retail", "fire_safety_check", "publication_retail"],
            status="submit",
        ),
        MaterialOut(
            key="floor_plan",
            name=t("经营场所平面布局图", "Floor plan of the premises"),
            variants=[t("食品设备布局", "food equipment layout"), t("消防设施布置", "fire facilities")],
            permits=["food_business", "fire_safety_check"],
            status="deferred",
            note=t("承诺后在现场核查时提供", "Provide it at the on-site check after approval"),
        ),
        MaterialOut(
            key="food_rules",
            name=t("食品安全管理制度文本", "Food-safety rules"),
            variants=[],
            permits=["food_business"],
            status="commitment",
        ),
        MaterialOut(
            key="fire_opinion",
            name=t("消防安全检查意见书", "Fire-safety inspection opinion"),
            variants=[],
            permits=["publication_retail"],
            status="internal",
            note=t("由本次申请的消防安全检查结果提供", "Produced by the fire-safety inspection in this application"),
        ),
        MaterialOut(
            key="tobacco_layout",
            name=t("卷烟陈列柜台照片", "Photos of the cigarette counter"),
            variants=[],
            permits=["tobacco_retail"],
            status="submit",
        ),
    ]

    commitments = [
        CommitmentOut(
            permit="food_business",
            permit_name=names["food_business"],
            mode="full",
            letter=t(
                "本人承诺经营场所、设备设施、人员和管理制度符合食品经营许可条件，所填信息真实有效。",
                "I commit that the premises, equipment, staff and rules meet the conditions of the food business "
                "license, and that the information given is true.",
            ),
            follow_up=t("许可后现场核查", "On-site check after approval"),
            follow_up_within=span(30),
            replaces=["food_rules"],
            deferred=["floor_plan"],
        ),
        CommitmentOut(
            permit="fire_safety_check",
            permit_name=names["fire_safety_check"],
            mode="full",
            letter=t(
                "本单位承诺场所符合消防安全要求，消防设施、器材完好有效。",
                "We commit that the premises meet fire-safety requirements and that the fire equipment works.",
            ),
            follow_up=t("营业后消防监督检查", "Fire-safety inspection after opening"),
            follow_up_within=span(20),
            replaces=[],
            deferred=["floor_plan"],
        ),
    ]

    reasons = [
        Reason(
            kind="permit",
            id="tobacco_retail",
            included=True,
            chain=[
                Step(kind="industry", id="convenience_store", label=t("便利店", "Convenience store")),
                Step(kind="answer", id="sells_tobacco", label=t("销售卷烟：是", "Sells cigarettes: yes")),
                Step(kind="permit", id="tobacco_retail", label=names["tobacco_retail"]),
                Step(kind="legal_basis", id="tobacco_law_16", label="《中华人民共和国烟草专卖法》第十六条"),
            ],
            summary=t("您选择销售卷烟，须取得烟草专卖零售许可。", "You sell cigarettes, so you need a tobacco retail license."),
        ),
        Reason(
            kind="material",
            id="business_license",
            included=True,
            chain=[Step(kind="material", id="business_license", label=t("营业执照", "Business license"))],
            summary=t("政府部门已持有，免于提交。", "The government already holds it."),
        ),
    ]

    return Composition(
        pack=PackRef(
            id="beijing-dongcheng",
            name=t("北京市东城区", "Beijing Dongcheng District"),
            version="3f9a1c27b04e",
            as_of=AS_OF,
            chain=["cn", "beijing", "beijing-dongcheng"],
        ),
        industries=["convenience_store"],
        scope=["food_sales", "tobacco_retail", "publication_retail"],
        answers={"area_m2": 80, "sells_tobacco": True, "sells_publications": True, "public_assembly": True},
        permits=permits,
        elements=[
            ElementOut(
                id="manager", permit="food_business", kind="personnel", text=t("配备食品安全管理人员", "A food-safety manager")
            ),
        ],
        form=Form(
            title=t("便利店综合许可申请表", "Convenience store combined application form"), sections=sections, sheets=sheets
        ),
        materials=materials,
        commitments=commitments,
        notice=Notice(
            title=t("便利店“一业一证”一次告知单", "One-time notice: opening a convenience store"),
            intro=t(
                "根据您的回答，开办便利店需要办理以下4项许可，由区政务服务中心综合窗口一次受理、并联审批，"
                "审批通过后发放一张行业综合许可凭证。",
                "From your answers, opening a convenience store needs the 4 permits below. The one-stop window "
                "accepts them once, the departments decide in parallel, and you receive one combined certificate.",
            ),
            steps=[
                t("在线填写一张申请表，上传一份材料清单中的材料", "Fill in the one form and upload the materials listed"),
                t(
                    "综合窗口一次受理；材料不全的，一次性告知需补正的全部内容",
                    "The window accepts it once and lists anything missing in one notice",
                ),
                t("各部门并联审批，联合现场核查一次", "Departments decide in parallel, with one joint site inspection"),
                t("领取行业综合许可凭证", "Collect the combined certificate"),
            ],
            closing=t(
                "如对本告知单有疑问，请咨询东城区政务服务中心综合窗口。",
                "Questions about this notice: ask the one-stop window of the Dongcheng Government Services Centre.",
            ),
        ),
        savings=Savings(
            before=Tally(permits=4, forms=4, materials=14, form_fields=46, working_days=70),
            after=Tally(permits=1, forms=1, materials=7, form_fields=21, working_days=20),
        ),
        reasons=reasons,
        questions=[],
        complete=True,
    )
