"""How a survey's results pack looks: the figures in words, a chart per question, the CSV file
of answers and, for coordinators only, the answers in words.

Every part is drawn from one `SurveyResults` (bot/services/surveys/results.py), already
protected: this module only puts those figures into words, so the text, the charts and the
file can never disagree or show more than the figures allow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.delivery.audience import HUB, REGION
from bot.delivery.content import CAPTION_LIMIT, FileUpload, Media
from bot.forum import Forum
from bot.localtime import local_when
from bot.results.suppression import Figure
from bot.services.consultations.messages import PackPart
from bot.services.surveys.definition import CHOICES, NUMBER, SCALE, SCALE_VALUES, Question
from bot.services.surveys.records import SurveyRecord
from bot.services.surveys.results import (
    FreeText,
    QuestionResult,
    SurveyResults,
    question_chart,
    responses_csv,
)
from bot.services.surveys.table import NumberBand, SurveyColumn, SurveyTable, Value
from bot.texts import Markup, Texts
from handlers.consultations.messages import ConsultationMessages

CAPTION_ROOM = CAPTION_LIMIT - 24  # a little under Telegram's 1,024 for a photo caption


class SurveyResultsMessages:
    """Renders a survey's results pack from the catalogue (config/texts/survey_results.yaml;
    the words for hidden figures are the consultations' own, in config/texts/polls.yaml)."""

    def __init__(self, texts: Texts, zone: ZoneInfo, forum: Forum) -> None:
        self._texts = texts
        self._zone = zone
        self._forum = forum
        # The words for figures not shown and the count lines are the consultations' own.
        self._polls = ConsultationMessages(texts, zone, forum)

    async def results_pack(
        self, survey: SurveyRecord, results: SurveyResults, free_text: FreeText | None
    ) -> list[PackPart]:
        """The figures in words, then a chart per question that has a split to show, the CSV
        file, and (``free_text`` given: coordinators) the answers in words."""
        parts = [PackPart(self.figures_text(survey, results))]
        if not results.withheld:
            parts += await self._charts(survey, results)
            parts.append(self.csv_part(survey, results))
        if free_text is not None:
            parts += self.free_text_parts(results, free_text)
        return parts

    # The figures in words

    def figures_text(self, survey: SurveyRecord, results: SurveyResults) -> str:
        """The whole survey in words: who was asked and finished, then each question."""
        rate = ""
        if results.response_rate is not None:
            rate = self._texts.get("polls.rate", rate=results.response_rate)
        closed = survey.closed_at or survey.closes_at
        blocks = [
            self._texts.get(
                "survey_results.summary",
                title=survey.title,
                closed=local_when(closed, self._zone, self._texts),
                audience=self._texts.plain("survey_results.audience_came")
                if survey.listed
                else self.audience(survey.audience_scope, survey.audience_place),
                invited=self.figure(results.invited, results.threshold),
                answered=self.figure(results.finished, results.threshold),
                rate=Markup(rate),
            )
        ]
        if results.withheld:
            blocks.append(self._texts.get("survey_results.too_few", threshold=results.threshold))
            return "\n\n".join(blocks)
        blocks += [self.question_block(results, result) for result in results.questions]
        blocks.append(self._texts.get("survey_results.rule", threshold=results.threshold))
        return "\n\n".join(blocks)

    def audience(self, scope: str, place: str | None) -> str:
        """Who the survey went to, in words."""
        if scope == REGION and (name := self._forum.region_name(place)):
            return self._texts.plain("survey_results.audience_region", region=name)
        if scope == HUB and (name := self._forum.hub_name(place)):
            return self._texts.plain("survey_results.audience_hub", hub=name)
        return self._texts.plain("survey_results.audience_everyone")

    def number_of(self, results: SurveyResults, question_id: str) -> int:
        """A question's number in its file (section headings not counted), as the pack and the
        CSV file's headers name it."""
        ids = [q.id for q in results.survey.answerable]
        return ids.index(question_id) + 1 if question_id in ids else 0

    def heading(self, results: SurveyResults, question: Question) -> str:
        """'3. How easy was it to get help?' in bold."""
        return self._texts.get(
            "survey_results.question",
            n=self.number_of(results, question.id),
            question=question.text,
        )

    def question_block(self, results: SurveyResults, result: QuestionResult) -> str:
        """One question: its heading, then how many answered and each answer's count."""
        question = results.survey.question(result.question_id)
        assert question is not None
        return self.heading(results, question) + "\n" + self.lines(results, result)

    def lines(self, results: SurveyResults, result: QuestionResult) -> str:
        """A question's figures in words (safe HTML), or why they are not shown."""
        texts, threshold, figures = self._texts, results.threshold, result.figures
        if result.held_back is not None:
            n = self.number_of(results, result.held_back)
            return texts.get("survey_results.held_back", n=n)
        if result.too_few:
            return texts.get("survey_results.too_few_question", threshold=threshold)
        answered = self.figure(figures.answered, threshold)
        if figures.withheld:
            return texts.get("survey_results.no_split", answered=answered)
        question = results.survey.question(result.question_id)
        assert question is not None
        labelled = replace(figures, options=tuple(self.labels(question, result)))
        lines = [
            texts.get("survey_results.answered", answered=answered),
            self._polls.answer_lines(labelled),
        ]
        if result.median is not None:
            lines.append(texts.get("survey_results.median", answer=_number(result.median)))
        if question.kind == CHOICES:
            lines.append(texts.get("survey_results.several_note"))
        return "\n".join(lines)

    def figure(self, figure: Figure, threshold: int) -> str:
        """A number, or the words for a figure not shown ("fewer than 5")."""
        return self._polls.figure(figure, threshold)

    def labels(self, question: Question, result: QuestionResult) -> list[str]:
        """The words for each count: option labels, scale values (the ends with their words),
        or number bands."""
        if question.kind == SCALE:
            ends = {SCALE_VALUES[0]: question.low_label, SCALE_VALUES[-1]: question.high_label}
            return [
                self._texts.plain("survey_results.scale_end", n=value, text=ends[value])
                if ends.get(value)
                else str(value)
                for value in SCALE_VALUES
            ]
        if question.kind == NUMBER:
            return [self.band(band, question.decimals) for band in result.bands]
        return [option.label for option in question.options]

    def band(self, band: NumberBand, decimals: bool) -> str:
        """A band in words: '5 to 9', '100 or more', 'under 0', '2.5 to under 5'."""
        plain = self._texts.plain
        if band.low is None:
            return plain("survey_results.band_under", high=_number(band.high or 0))
        if band.top is not None:
            if band.top == band.low:
                return _number(band.low)
            return plain("survey_results.band_range", low=_number(band.low), high=_number(band.top))
        if band.high is None:
            return plain("survey_results.band_from", low=_number(band.low))
        if decimals:  # '2.5 to under 5'
            below = plain("survey_results.band_under", high=_number(band.high))
            return plain("survey_results.band_range", low=_number(band.low), high=below)
        last = band.high - 1
        if last == band.low:
            return _number(band.low)
        return plain("survey_results.band_range", low=_number(band.low), high=_number(last))

    # Charts

    async def _charts(self, survey: SurveyRecord, results: SurveyResults) -> list[PackPart]:
        """A chart with its words as the caption, for each question with a split to show."""
        parts = []
        words = self._polls.status_words(results.threshold)
        for result in results.questions:
            question = results.survey.question(result.question_id)
            if question is None or result.held_back is not None or result.figures.withheld:
                continue
            number = self.number_of(results, question.id)
            png = await asyncio.to_thread(
                question_chart,
                result,
                self.labels(question, result),
                title=question.text,
                status_words=words,
            )
            if png is None:
                continue
            caption = self._texts.get(
                "survey_results.chart_caption",
                n=number,
                question=question.text,
                lines=Markup(self.lines(results, result)),
            )
            if len(caption) > CAPTION_ROOM:
                caption = self._texts.get("survey_results.chart_caption_short", n=number)
            name = f"{self._file_name(survey)}-{number}.png"
            parts.append(PackPart(caption, Media("photo", upload=FileUpload(name, png))))
        return parts

    # The CSV file

    def csv_part(self, survey: SurveyRecord, results: SurveyResults) -> PackPart:
        """The file of answers with a caption that says which questions it leaves out; or,
        when no question could go in it, only the words saying so."""
        table = results.table
        if table is None or not table.columns:
            return PackPart(self._texts.get("survey_results.csv_none"))
        caption = self._texts.get("survey_results.csv_caption")
        left_out = self.left_out(results, table)
        if left_out:
            caption += "\n\n" + self._texts.get("survey_results.csv_left_out", names=left_out)
        if len(caption) > CAPTION_ROOM:
            caption = self._texts.get("survey_results.csv_caption")
        data = self.csv_bytes(results, table)
        name = f"{self._file_name(survey)}.csv"
        return PackPart(caption, Media("document", upload=FileUpload(name, data)))

    def left_out(self, results: SurveyResults, table: SurveyTable) -> str:
        """The numbers of the questions with a column left out of the file ('2, 5')."""
        numbers = sorted({self.number_of(results, c.question_id) for c in table.left_out})
        return ", ".join(str(n) for n in numbers)

    def csv_bytes(self, results: SurveyResults, table: SurveyTable) -> bytes:
        """The table in words: a header per column, a row per person who finished."""
        header = [self.column_header(results, column) for column in table.columns]
        rows = (
            [
                self.cell(results, column, value)
                for column, value in zip(table.columns, row, strict=True)
            ]
            for row in table.rows
        )
        return responses_csv(header, rows)

    def column_header(self, results: SurveyResults, column: SurveyColumn) -> str:
        """The question's number and words; for a several-choices option, with its label."""
        question = results.survey.question(column.question_id)
        assert question is not None
        text = f"{self.number_of(results, question.id)}. {question.text}"
        option = question.option(column.option_id) if column.option_id else None
        if option is None:
            return text
        return self._texts.plain(
            "survey_results.csv_choice_header", question=text, answer=option.label
        )

    def cell(self, results: SurveyResults, column: SurveyColumn, value: Value) -> str | int:
        """One answer in words: an option's label, Yes or No, 1 to 5, a band; blank for none."""
        question = results.survey.question(column.question_id)
        assert question is not None
        if value is None:
            return ""
        if isinstance(value, bool):
            return self._texts.plain("survey_results.csv_yes" if value else "survey_results.csv_no")
        if question.kind == SCALE:
            return int(value)
        if question.kind == NUMBER:
            result = results.result(question.id)
            bands = result.bands if result is not None else ()
            return self.band(bands[int(value)], question.decimals)
        option = question.option(str(value))
        return option.label if option is not None else ""

    # Answers in words

    def free_text_parts(
        self, results: SurveyResults, free_text: Mapping[str, Sequence[str]]
    ) -> list[PackPart]:
        """One message per text question (long ones are split when sent)."""
        parts = []
        for question in results.survey.answerable:
            if question.id not in free_text:
                continue
            answers = free_text[question.id]
            heading = f"{self.number_of(results, question.id)}. {question.text}"
            if not answers:
                parts.append(
                    PackPart(self._texts.get("survey_results.no_free_text", question=heading))
                )
                continue
            items = "\n\n".join(self._texts.get("polls.comment_item", text=a) for a in answers)
            parts.append(
                PackPart(
                    self._texts.get(
                        "survey_results.free_text",
                        question=heading,
                        count=len(answers),
                        comments=Markup(items),
                    )
                )
            )
        return parts

    def _file_name(self, survey: SurveyRecord) -> str:
        """'survey-12', for the chart and CSV file names."""
        return self._texts.plain("survey_results.file_name", id=survey.id)


def _number(value: float) -> str:
    """A number as people write it: 4, 4.5, 1,200."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
