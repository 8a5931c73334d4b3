"""Words of running text for the languages Faker has no text provider for.

Faker's lorem provider speaks English, German, French, Italian, Spanish, Dutch, Polish, Japanese
and others, but falls back to Latin lorem ipsum for Portuguese, Swedish and Indonesian; pages of
Brazilian, Swedish and Indonesian sites are written from these lists instead: common words of
news and service headlines (articles, verbs of reporting, everyday nouns and adjectives), spelled
as the language writes them.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TEXT_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "pt": _words(
        """a o de do da em no na para com por mais como sobre entre após sem até novo nova
        grande primeiro primeira melhor maior governo cidade país estado presidente prefeito
        jogo time campeonato mercado preço preços economia empresa empresas saúde escola
        estudo vida casa família mulher homem criança crianças ano anos dia dias semana mês
        hoje amanhã ontem notícia polícia eleição eleições política lei projeto câmara senado
        banco dólar inflação juros emprego trabalho salário imposto chuva calor frio previsão
        tempo água energia internet celular carro viagem praia festa música filme série
        novela futebol gol vitória derrota técnico jogador clube torcida estádio final copa
        seleção saiba veja entenda confira diz afirma anuncia lança revela cresce cai sobe
        aumenta reduz volta chega começa termina ganha perde vence abre fecha recebe mostra
        pede quer pode deve vai fica segue muda onde quando porque quem todos cada outro
        nacional federal público social digital mundial internacional regional especial
        importante forte alto baixo rápido pior antigo jovem aberto livre segundo último
        hospital médico vacina doença tratamento pesquisa ciência universidade aluno
        professor programa plano reforma acordo conta contas cliente compra venda loja
        consumidor produto serviço obras bairro rua trânsito rodovia ônibus metrô aeroporto
        voo turismo hotel restaurante receita comida bolo receitas dicas guia lista
        melhores piores ranking recorde história memória cultura arte show teatro livro
        autor artista cantor atriz ator evento feira exposição domingo sábado segunda
        verão inverno outono primavera região norte sul leste oeste capital interior
        moradores população pessoas brasileiros"""
    ),
    "sv": _words(
        """och i på för med om till av efter inte utan mellan under över nya ny nytt stor
        stora första bästa sämsta mer mest regeringen staden landet kommunen polisen skolan
        vården sjukhuset ekonomin företaget företag marknaden priset priser räntan kronan
        jobb jobben lön skatt bostad bostäder hyran väder vädret regn snö sol sommar vinter
        hösten våren helgen dag dagen vecka veckan år året idag imorgon igår nyheter valet
        politik lagen förslaget riksdagen banken pengar bilen resa resor semester mat recept
        musik film serie serien fotboll hockey matchen seger förlust tränaren spelaren laget
        finalen mästerskapet publiken arenan säger visar kräver får ger tar går kommer ökar
        minskar stiger faller öppnar stänger vinner förlorar startar slutar varnar kritik
        beslut krisen planen framtiden barn familjen kvinna man unga äldre hela alla många
        svensk svenska nationell lokal digital viktig snabb hög låg dyr billig gammal
        studie forskare universitet elever lärare vård läkare patienter vaccin sjukdom
        butik handeln kunder varor tjänster trafiken vägen tåget flyget hotell restaurang
        tips guide lista rekord historia kultur konst teater bok författare artist
        konsert festival söndag lördag måndag regionen norr söder staden invånare
        människor"""
    ),
    "id": _words(
        """dan di ke dari untuk dengan yang ini itu akan baru besar pertama terbaik lebih
        pemerintah kota negara presiden gubernur polisi sekolah rumah sakit ekonomi
        perusahaan pasar harga rupiah bank kerja gaji pajak cuaca hujan banjir musim hari
        minggu bulan tahun besok kemarin berita pemilu politik rencana dewan uang mobil
        motor jalan perjalanan liburan makanan resep musik film drama sepak bola
        pertandingan menang kalah pelatih pemain klub final piala liga stadion kata
        menunjukkan meminta mendapat memberi naik turun meningkat menurun buka tutup mulai
        selesai dukung tolak kritik keputusan krisis masa depan anak keluarga wanita pria
        muda warga semua banyak nasional daerah digital penting cepat tinggi rendah mahal
        murah lama program proyek kebijakan aturan undang penelitian universitas siswa guru
        dokter pasien vaksin penyakit kesehatan toko pelanggan produk layanan lalu lintas
        kereta pesawat bandara hotel restoran wisata tips panduan daftar rekor sejarah
        budaya seni konser festival buku penulis artis penyanyi aktor acara pameran
        sabtu senin wilayah utara selatan timur barat ibu penduduk masyarakat
        indonesia"""
    ),
}
