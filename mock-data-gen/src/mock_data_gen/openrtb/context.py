"""Where the ad appears: OpenRTB 2.6 §3.2.13 Site, §3.2.14 App, §3.2.32 DOOH, §3.2.15 Publisher,
§3.2.16 Content, §3.2.17 Producer, §3.2.23 Network and §3.2.24 Channel."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import model_validator

from mock_data_gen.openrtb.adcom import (
    CategoryTaxonomy,
    ContentContext,
    DOOHVenueTaxonomy,
    MediaRating,
    ProductionQuality,
)
from mock_data_gen.openrtb.base import (
    Array,
    Code,
    Ext,
    Flag,
    Int,
    OpenRTBModel,
    Str,
    require_exclusive,
)
from mock_data_gen.openrtb.user import Data

Taxonomy = Annotated[int, Code(CategoryTaxonomy)]


class Publisher(OpenRTBModel):
    """The entity that supplies the inventory and is paid for it (OpenRTB 2.6 §3.2.15).

    Spec default (not emitted): cattax=1.
    """

    id: Str | None = None
    name: Str | None = None
    cattax: Taxonomy | None = None
    cat: Array[Str] = None
    domain: Str | None = None
    ext: Ext = None


class Producer(OpenRTBModel):
    """The producer of the content, when it differs from the publisher (OpenRTB 2.6 §3.2.17).

    Spec default (not emitted): cattax=1.
    """

    id: Str | None = None
    name: Str | None = None
    cattax: Taxonomy | None = None
    cat: Array[Str] = None
    domain: Str | None = None
    ext: Ext = None


class Network(OpenRTBModel):
    """The network (parent of channels) the content is on (OpenRTB 2.6 §3.2.23)."""

    id: Str | None = None
    name: Str | None = None
    domain: Str | None = None
    ext: Ext = None


class Channel(OpenRTBModel):
    """The channel (curated content stream) the content is on (OpenRTB 2.6 §3.2.24)."""

    id: Str | None = None
    name: Str | None = None
    domain: Str | None = None
    ext: Ext = None


class Content(OpenRTBModel):
    """The content in which the impression appears (OpenRTB 2.6 §3.2.16).

    Spec defaults (not emitted): gtax=9, cattax=1.
    """

    id: Str | None = None
    episode: Int | None = None
    title: Str | None = None
    series: Str | None = None
    season: Str | None = None
    artist: Str | None = None
    genre: Str | None = None
    gtax: Taxonomy | None = None
    genres: Array[Str] = None
    album: Str | None = None
    isrc: Str | None = None
    producer: Producer | None = None
    url: Str | None = None
    cattax: Taxonomy | None = None
    cat: Array[Str] = None
    prodq: Annotated[int, Code(ProductionQuality)] | None = None
    context: Annotated[int, Code(ContentContext)] | None = None
    contentrating: Str | None = None
    userrating: Str | None = None
    qagmediarating: Annotated[int, Code(MediaRating)] | None = None
    keywords: Str | None = None
    kwarray: Array[Str] = None
    livestream: Flag | None = None
    sourcerelationship: Flag | None = None
    len: Int | None = None
    language: Str | None = None
    langb: Str | None = None
    embeddable: Flag | None = None
    data: Array[Data] = None
    network: Network | None = None
    channel: Channel | None = None
    realtime: Flag | None = None
    firstbroadcast: Flag | None = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_keywords(self) -> Self:
        return require_exclusive(self, "keywords", "kwarray")


class Site(OpenRTBModel):
    """A website as the ad-supported medium (OpenRTB 2.6 §3.2.13).

    Spec default (not emitted): cattax=1.
    """

    id: Str | None = None
    name: Str | None = None
    domain: Str | None = None
    cattax: Taxonomy | None = None
    cat: Array[Str] = None
    sectioncat: Array[Str] = None
    pagecat: Array[Str] = None
    page: Str | None = None
    ref: Str | None = None
    search: Str | None = None
    mobile: Flag | None = None
    privacypolicy: Flag | None = None
    publisher: Publisher | None = None
    content: Content | None = None
    keywords: Str | None = None
    kwarray: Array[Str] = None
    inventorypartnerdomain: Str | None = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_keywords(self) -> Self:
        return require_exclusive(self, "keywords", "kwarray")


class App(OpenRTBModel):
    """A non-browser application as the ad-supported medium (OpenRTB 2.6 §3.2.14).

    Spec default (not emitted): cattax=1.
    """

    id: Str | None = None
    name: Str | None = None
    bundle: Str | None = None
    domain: Str | None = None
    storeurl: Str | None = None
    cattax: Taxonomy | None = None
    cat: Array[Str] = None
    sectioncat: Array[Str] = None
    pagecat: Array[Str] = None
    ver: Str | None = None
    privacypolicy: Flag | None = None
    paid: Flag | None = None
    publisher: Publisher | None = None
    content: Content | None = None
    keywords: Str | None = None
    kwarray: Array[Str] = None
    inventorypartnerdomain: Str | None = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_keywords(self) -> Self:
        return require_exclusive(self, "keywords", "kwarray")


class DOOH(OpenRTBModel):
    """A digital out-of-home screen as the ad-supported medium (OpenRTB 2.6 §3.2.32).

    Spec default (not emitted): venuetypetax=1.
    """

    id: Str | None = None
    name: Str | None = None
    venuetype: Array[Str] = None
    venuetypetax: Annotated[int, Code(DOOHVenueTaxonomy)] | None = None
    publisher: Publisher | None = None
    domain: Str | None = None
    keywords: Str | None = None
    content: Content | None = None
    ext: Ext = None
