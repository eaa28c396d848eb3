--
-- PostgreSQL database dump
--

\restrict VBaFYUq63dj3nH1hW5FNx3tFqUisFxRhaBEarSq3SMw0hXz43oPIH6Z8fhcsysW

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: fixture_r1; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA fixture_r1;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: approvals; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.approvals (
    id bigint NOT NULL,
    campaign character varying(100) NOT NULL,
    content_hash character varying(64) NOT NULL,
    hashes json NOT NULL,
    approved_by character varying(200) NOT NULL,
    approved_at timestamp with time zone NOT NULL
);


--
-- Name: approvals_id_seq; Type: SEQUENCE; Schema: fixture_r1; Owner: -
--

CREATE SEQUENCE fixture_r1.approvals_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: approvals_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_r1; Owner: -
--

ALTER SEQUENCE fixture_r1.approvals_id_seq OWNED BY fixture_r1.approvals.id;


--
-- Name: apscheduler_jobs; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.apscheduler_jobs (
    id character varying(191) NOT NULL,
    next_run_time double precision,
    job_state bytea NOT NULL
);


--
-- Name: archive; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.archive (
    campaign character varying(100) NOT NULL,
    subject text NOT NULL,
    preheader text NOT NULL,
    list character varying(100) NOT NULL,
    html text NOT NULL,
    cover_name character varying(100),
    cover bytea,
    sent_at timestamp with time zone NOT NULL
);


--
-- Name: audiences; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.audiences (
    campaign character varying(100) NOT NULL,
    step integer NOT NULL,
    list character varying(100) NOT NULL,
    total integer NOT NULL,
    enqueued_at timestamp with time zone NOT NULL
);


--
-- Name: audit; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.audit (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    action character varying(40) NOT NULL,
    email character varying(320),
    list character varying(100),
    source character varying(20) NOT NULL,
    detail text
);


--
-- Name: audit_id_seq; Type: SEQUENCE; Schema: fixture_r1; Owner: -
--

CREATE SEQUENCE fixture_r1.audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_r1; Owner: -
--

ALTER SEQUENCE fixture_r1.audit_id_seq OWNED BY fixture_r1.audit.id;


--
-- Name: deliveries; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.deliveries (
    id bigint NOT NULL,
    campaign character varying(100) NOT NULL,
    step integer NOT NULL,
    target character varying(320) NOT NULL,
    subscriber_id bigint,
    state character varying(20) NOT NULL,
    attempts integer NOT NULL,
    not_before timestamp with time zone,
    run_id bigint,
    remote_id character varying(255),
    remote_url text,
    detail text,
    payload json,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: deliveries_id_seq; Type: SEQUENCE; Schema: fixture_r1; Owner: -
--

CREATE SEQUENCE fixture_r1.deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_r1; Owner: -
--

ALTER SEQUENCE fixture_r1.deliveries_id_seq OWNED BY fixture_r1.deliveries.id;


--
-- Name: dispatchers; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.dispatchers (
    id character varying(300) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    heartbeat_at timestamp with time zone NOT NULL
);


--
-- Name: memberships; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.memberships (
    subscriber_id bigint NOT NULL,
    list character varying(100) NOT NULL,
    status character varying(20) NOT NULL,
    source character varying(20) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: meta; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.meta (
    key character varying(64) NOT NULL,
    value text NOT NULL
);


--
-- Name: runs; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.runs (
    id bigint NOT NULL,
    campaign character varying(100) NOT NULL,
    step integer NOT NULL,
    host character varying(255) NOT NULL,
    pid integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    heartbeat_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone
);


--
-- Name: runs_id_seq; Type: SEQUENCE; Schema: fixture_r1; Owner: -
--

CREATE SEQUENCE fixture_r1.runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: runs_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_r1; Owner: -
--

ALTER SEQUENCE fixture_r1.runs_id_seq OWNED BY fixture_r1.runs.id;


--
-- Name: steps; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.steps (
    campaign character varying(100) NOT NULL,
    step integer NOT NULL,
    campaign_path text NOT NULL,
    kind character varying(10) NOT NULL,
    channel character varying(20) NOT NULL,
    field character varying(40) NOT NULL,
    due_utc timestamp with time zone NOT NULL,
    state character varying(20) NOT NULL,
    detail text,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: subscribers; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.subscribers (
    id bigint NOT NULL,
    email character varying(320) NOT NULL,
    display_email character varying(320) NOT NULL,
    name character varying(200),
    attrs json NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: subscribers_id_seq; Type: SEQUENCE; Schema: fixture_r1; Owner: -
--

CREATE SEQUENCE fixture_r1.subscribers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: subscribers_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_r1; Owner: -
--

ALTER SEQUENCE fixture_r1.subscribers_id_seq OWNED BY fixture_r1.subscribers.id;


--
-- Name: suppressions; Type: TABLE; Schema: fixture_r1; Owner: -
--

CREATE TABLE fixture_r1.suppressions (
    email character varying(320) NOT NULL,
    list character varying(100) NOT NULL,
    reason character varying(20) NOT NULL,
    detail text,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: approvals id; Type: DEFAULT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.approvals ALTER COLUMN id SET DEFAULT nextval('fixture_r1.approvals_id_seq'::regclass);


--
-- Name: audit id; Type: DEFAULT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.audit ALTER COLUMN id SET DEFAULT nextval('fixture_r1.audit_id_seq'::regclass);


--
-- Name: deliveries id; Type: DEFAULT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.deliveries ALTER COLUMN id SET DEFAULT nextval('fixture_r1.deliveries_id_seq'::regclass);


--
-- Name: runs id; Type: DEFAULT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.runs ALTER COLUMN id SET DEFAULT nextval('fixture_r1.runs_id_seq'::regclass);


--
-- Name: subscribers id; Type: DEFAULT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.subscribers ALTER COLUMN id SET DEFAULT nextval('fixture_r1.subscribers_id_seq'::regclass);


--
-- Data for Name: approvals; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.approvals VALUES (1, 'soldier-defections-myanmar', 'a6dc18ca1f8db4c99b226d51ac3fc704930efb956fc5de4bea8ce1e0143640f5', '{"cover image": "7c8a5c03bb67099c56b3afa065c9201de4faa4e6c0c9af1caf89f179819af7ae", "email html": "0f23427e723ba6a32d812bc0e6844f65211b4b6fed7f1b17593f992352eb9ec4", "email subject": "4bf529f52da5e56fcaee617a957fa68f292103338286bda10303154b8078737e", "email text": "4e735e9c064cb2e5fbc40d0796b25782b7d5ceecb04dac4cf478a3df2ce3eef8", "posts[0]": "b1da6630dceb5f0b3e6bc4ba82736afbb6321d854fe4523fa73d7e9c8e3de05a", "posts[1]": "640495e2b6eada51797d0a7c52e8c6a50bb731bee855c68b13a04af416342742", "posts[2]": "3abbfffa58862f06a128a6a072ac1d120342721f5cff70910fdca653e0c7be28", "time of email": "43e2efc25df72c917faee7a5c624e09e0410238e4bb71678bcc6dfbba9f38825", "time of posts[0]": "63b7071568a7bccdc026e9351302c1f15fec099c1d2da00d12f50c03a7de8edf", "time of posts[1]": "9a416da748e25cf7e10acc7db51251c291d92eb1355e94e3d2cd4739c6d0b2b0", "time of posts[2]": "9a416da748e25cf7e10acc7db51251c291d92eb1355e94e3d2cd4739c6d0b2b0"}', 'Fixture Reviewer', '2026-11-26 23:09:57.031848+00');


--
-- Data for Name: apscheduler_jobs; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.apscheduler_jobs VALUES ('soldier-defections-myanmar:1', 1798326657, '\x800595c1010000000000007d94288c0776657273696f6e944b018c026964948c1c736f6c646965722d646566656374696f6e732d6d79616e6d61723a31948c0466756e63948c246f757472656163682e64697370617463683a72756e5f7363686564756c65645f73746570948c0774726967676572948c1961707363686564756c65722e74726967676572732e64617465948c0b44617465547269676765729493942981947d942868014b018c0872756e5f64617465948c086461746574696d65948c086461746574696d65949394430a07ea0c1a170a3900000094680d8c0874696d657a6f6e65949394680d8c0974696d6564656c74619493944b004b004b0087945294859452948694529475628c086578656375746f72948c0764656661756c74948c0461726773948c1a736f6c646965722d646566656374696f6e732d6d79616e6d6172944b0186948c066b7761726773947d948c046e616d65948c21736f6c646965722d646566656374696f6e732d6d79616e6d617220737465702031948c126d6973666972655f67726163655f74696d65944d100e8c08636f616c6573636594888c0d6d61785f696e7374616e636573944b018c0d6e6578745f72756e5f74696d6594681a752e');
INSERT INTO fixture_r1.apscheduler_jobs VALUES ('soldier-defections-myanmar:2', 1798326717, '\x800595c1010000000000007d94288c0776657273696f6e944b018c026964948c1c736f6c646965722d646566656374696f6e732d6d79616e6d61723a32948c0466756e63948c246f757472656163682e64697370617463683a72756e5f7363686564756c65645f73746570948c0774726967676572948c1961707363686564756c65722e74726967676572732e64617465948c0b44617465547269676765729493942981947d942868014b018c0872756e5f64617465948c086461746574696d65948c086461746574696d65949394430a07ea0c1a170b3900000094680d8c0874696d657a6f6e65949394680d8c0974696d6564656c74619493944b004b004b0087945294859452948694529475628c086578656375746f72948c0764656661756c74948c0461726773948c1a736f6c646965722d646566656374696f6e732d6d79616e6d6172944b0286948c066b7761726773947d948c046e616d65948c21736f6c646965722d646566656374696f6e732d6d79616e6d617220737465702032948c126d6973666972655f67726163655f74696d65944d100e8c08636f616c6573636594888c0d6d61785f696e7374616e636573944b018c0d6e6578745f72756e5f74696d6594681a752e');
INSERT INTO fixture_r1.apscheduler_jobs VALUES ('soldier-defections-myanmar:3', 1798326777, '\x800595c1010000000000007d94288c0776657273696f6e944b018c026964948c1c736f6c646965722d646566656374696f6e732d6d79616e6d61723a33948c0466756e63948c246f757472656163682e64697370617463683a72756e5f7363686564756c65645f73746570948c0774726967676572948c1961707363686564756c65722e74726967676572732e64617465948c0b44617465547269676765729493942981947d942868014b018c0872756e5f64617465948c086461746574696d65948c086461746574696d65949394430a07ea0c1a170c3900000094680d8c0874696d657a6f6e65949394680d8c0974696d6564656c74619493944b004b004b0087945294859452948694529475628c086578656375746f72948c0764656661756c74948c0461726773948c1a736f6c646965722d646566656374696f6e732d6d79616e6d6172944b0386948c066b7761726773947d948c046e616d65948c21736f6c646965722d646566656374696f6e732d6d79616e6d617220737465702033948c126d6973666972655f67726163655f74696d65944d100e8c08636f616c6573636594888c0d6d61785f696e7374616e636573944b018c0d6e6578745f72756e5f74696d6594681a752e');
INSERT INTO fixture_r1.apscheduler_jobs VALUES ('soldier-defections-myanmar:4', 1798326837, '\x800595c1010000000000007d94288c0776657273696f6e944b018c026964948c1c736f6c646965722d646566656374696f6e732d6d79616e6d61723a34948c0466756e63948c246f757472656163682e64697370617463683a72756e5f7363686564756c65645f73746570948c0774726967676572948c1961707363686564756c65722e74726967676572732e64617465948c0b44617465547269676765729493942981947d942868014b018c0872756e5f64617465948c086461746574696d65948c086461746574696d65949394430a07ea0c1a170d3900000094680d8c0874696d657a6f6e65949394680d8c0974696d6564656c74619493944b004b004b0087945294859452948694529475628c086578656375746f72948c0764656661756c74948c0461726773948c1a736f6c646965722d646566656374696f6e732d6d79616e6d6172944b0486948c066b7761726773947d948c046e616d65948c21736f6c646965722d646566656374696f6e732d6d79616e6d617220737465702034948c126d6973666972655f67726163655f74696d65944d100e8c08636f616c6573636594888c0d6d61785f696e7374616e636573944b018c0d6e6578745f72756e5f74696d6594681a752e');


--
-- Data for Name: archive; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.archive VALUES ('soldier-defections-myanmar', 'New DIIS report: why Myanmar’s soldiers defect, and why most stay', 'Around 2,000 soldiers have left the Tatmadaw since the 2021 coup. Their voices explain what drives defection.', 'research', '<!doctype html><html lang="en" dir="ltr" xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><head><title>New DIIS report: why Myanmar’s soldiers defect, and why most stay</title><!--[if !mso]><!--><meta http-equiv="X-UA-Compatible" content="IE=edge"><!--<![endif]--><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<style type="text/css">
#outlook a { padding: 0; }
body { margin: 0; padding: 0; -webkit-text-size-adjust: 100%; -ms-text-size-adjust: 100%; }
table, td { border-collapse: collapse; mso-table-lspace: 0pt; mso-table-rspace: 0pt; }
img { border: 0; height: auto; line-height: 100%; outline: none; text-decoration: none; -ms-interpolation-mode: bicubic; }
p { display: block; margin: 13px 0; }
</style>
<!--[if mso]>
<noscript>
<xml>
<o:OfficeDocumentSettings>
  <o:AllowPNG/>
  <o:PixelsPerInch>96</o:PixelsPerInch>
</o:OfficeDocumentSettings>
</xml>
</noscript>
<![endif]-->
<!--[if lte mso 11]>
<style type="text/css">
.mj-outlook-group-fix { width:100% !important; }
</style>
<![endif]-->
<style type="text/css">@media only screen and (min-width:480px) { .mj-column-per-100 { width:100% !important; max-width:100%; }  }</style><style media="screen and (min-width:480px)">.moz-text-html .mj-column-per-100 { width:100% !important; max-width:100%; } </style><style type="text/css">@media only screen and (max-width:479px) {
                table.mj-full-width-mobile { width: 100% !important; }
                td.mj-full-width-mobile { width: auto !important; }
            }
            </style><style type="text/css">:root { color-scheme: light dark; supported-color-schemes: light dark; }
      a { color: #0b5394; }
      .kicker div { letter-spacing: 0.08em; text-transform: uppercase; }
      @media (prefers-color-scheme: dark) {
        body, .page, .page > table { background: #121212 !important; }
        .page div, .page td { color: #ececec !important; }
        .page a { color: #8ab4f8 !important; }
        .cta a { background: #8ab4f8 !important; color: #121212 !important; }
      }</style><meta name="color-scheme" content="light dark" /><meta name="supported-color-schemes" content="light dark" /></head><body style="word-spacing:normal;background-color:#f4f1ea;"><div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;">Around 2,000 soldiers have left the Tatmadaw since the 2021 coup. Their voices explain what drives defection.</div><div aria-label="New DIIS report: why Myanmar’s soldiers defect, and why most stay" aria-roledescription="email" class="page" role="article" lang="en" dir="ltr" style="background-color:#f4f1ea;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:12px 0;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="center" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:13px;line-height:1.55;text-align:center;color:#5f5f5f;"><a href="http://127.0.0.1:8080/archive/soldier-defections-myanmar">View this email in your browser</a></div></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" bgcolor="#ffffff" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="background:#ffffff;background-color:#ffffff;margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="background:#ffffff;background-color:#ffffff;width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:16px 0 8px;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="left" class="kicker" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Arial, Helvetica, sans-serif;font-size:13px;font-weight:bold;line-height:1.55;text-align:left;color:#8a1c1c;">DIIS Report</div></td></tr><tr><td align="left" style="font-size:0px;padding:8px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:28px;font-weight:bold;line-height:1.25;text-align:left;color:#1d1d1b;"><h1 style="font-size:28px;line-height:1.25;margin:0;font-weight:bold;">Defecting soldiers are a significant symbolic blow to Myanmar’s military rule</h1></div></td></tr><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:19px;font-style:italic;line-height:1.55;text-align:left;color:#4a4a4a;">Motivations and obstacles following the 2021 military coup</div></td></tr><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Arial, Helvetica, sans-serif;font-size:14px;line-height:1.55;text-align:left;color:#5f5f5f;">By Ah Lynn, Helene Maria Kyed · Myanmar</div></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" bgcolor="#ffffff" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="background:#ffffff;background-color:#ffffff;margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="background:#ffffff;background-color:#ffffff;width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:0;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="center" style="font-size:0px;padding:8px 24px;word-break:break-word;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" style="border-collapse:collapse;border-spacing:0px;"><tbody><tr><td style="width:552px;"><a href="https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=soldier-defections-myanmar" target="_blank"><img alt="Report cover: the title ‘Soldier Defections in Myanmar’ and the subtitle ‘Motivations and obstacles following the 2021 military coup’ in white on a dark green background, under the label DIIS Report." height="auto" src="http://127.0.0.1:8080/archive/soldier-defections-myanmar/cover.png" width="552" style="border:0;display:block;outline:none;text-decoration:none;height:auto;width:100%;font-size:13px;" /></a></td></tr></tbody></table></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" bgcolor="#ffffff" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="background:#ffffff;background-color:#ffffff;margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="background:#ffffff;background-color:#ffffff;width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:8px 0;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:17px;line-height:1.55;text-align:left;color:#1d1d1b;">Dear reader,</div></td></tr><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:17px;line-height:1.55;text-align:left;color:#1d1d1b;">Since Myanmar’s military leaders staged a coup on 1 February 2021, an estimated 2,000 soldiers have defected and joined the ‘people’s side’ in opposing military rule. These defectors refuse to be complicit in the violent crackdowns and killings of civilians by the military, also known as the Tatmadaw, which by November 2021 has led to over 1,260 deaths. Arguably, the number of defectors is low compared to the estimated 300-350,000 strong Myanmar military (Tatmadaw), and so far, there are no signs that the defections have created major splits in the military organization or changed the military leaders’ course of action. Nonetheless, defections constitute a significant symbolic blow to the Tatmadaw’s internal coherence and legitimacy. The degree to which defectors have organised themselves and aligned with the pro-democracy opposition is also unprecedented in Myanmar’s history.</div></td></tr><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:17px;line-height:1.55;text-align:left;color:#1d1d1b;">This report by Myanmar researcher Ah Lynn and DIIS senior researcher Helene Maria Kyed, explores the drivers and obstacles to defection since the coup. It does so by bringing forth the voices of those defectors who have spoken up about their defection, drawing on a wide set of data collected between May and October 2021. Knowing why some soldiers have left the army and why others stay, is paramount for any discussion of the prospects for larger scale defections, which could prove to have a significant impact on the Tatmadaw’s course of action, its internal coherence, and its operational capacity.</div></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" bgcolor="#ffffff" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="background:#ffffff;background-color:#ffffff;margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="background:#ffffff;background-color:#ffffff;width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:4px 0;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="left" style="font-size:0px;padding:12px 24px 4px;word-break:break-word;"><div style="font-family:Arial, Helvetica, sans-serif;font-size:18px;font-weight:bold;line-height:1.55;text-align:left;color:#1d1d1b;"><h2 style="font-size:18px;margin:0;">Key arguments</h2></div></td></tr><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Georgia, ''Times New Roman'', serif;font-size:17px;line-height:1.55;text-align:left;color:#1d1d1b;"><ul style="margin:0;padding-left:20px;"><li style="margin:0 0 10px;">Moral concerns about the military’s violence against civilians after the coup have been a key motivating factor for defection.</li><li style="margin:0 0 10px;">Defections are also driven by deep demoralisation with what defectors see as an unjust, corrupt and internally exploitative military organisation.</li><li style="margin:0 0 10px;">Support mechanisms, exit options and alternative visions of order offered by the civilian opposition and by active groups of defected soldiers increasingly motivate defections; social media and online information flows set this apart from earlier coups and uprisings.</li><li style="margin:0 0 10px;">Pervasive obstacles are woven into the Tatmadaw’s tradition of cohesion and loyalty: ideological programming, isolation, hierarchical patron-client relations, and a system of commands, benefits and punishments. Soldiers also fear the security risks of defecting, including dangers to their families.</li><li style="margin:0 0 10px;">Cultivating more defections requires protection and livelihood assurances for defectors, and campaigns that make military personnel question the nationalist ideology casting the Tatmadaw as guardian of the nation and of Buddhism.</li><li style="margin:0 0 10px;">Trust in the opposition’s promise of a new order and a reformed military, with viable futures for those who defect, is crucial for the prospects of large-scale defections.</li></ul></div></td></tr><tr><td align="left" vertical-align="middle" class="cta" style="font-size:0px;padding:16px 24px 24px;word-break:break-word;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" style="border-collapse:separate;line-height:100%;"><tbody><tr><td align="center" bgcolor="#0b5394" role="presentation" valign="middle" style="border:none;border-radius:4px;cursor:auto;mso-padding-alt:14px 28px;background:#0b5394;"><a href="https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=soldier-defections-myanmar" target="_blank" style="display:inline-block;background:#0b5394;color:#ffffff;font-family:Arial, Helvetica, sans-serif;font-size:17px;font-weight:bold;line-height:120%;margin:0;text-decoration:none;text-transform:none;padding:14px 28px;mso-padding-alt:0px;border-radius:4px;">Read the full report</a></td></tr></tbody></table></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" bgcolor="#eef2f7" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="background:#eef2f7;background-color:#eef2f7;margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="background:#eef2f7;background-color:#eef2f7;width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:12px 0;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="left" style="font-size:0px;padding:8px 24px 2px;word-break:break-word;"><div style="font-family:Arial, Helvetica, sans-serif;font-size:15px;font-weight:bold;line-height:1.55;text-align:left;color:#1d1d1b;"><h2 style="font-size:15px;margin:0;">Media contact</h2></div></td></tr><tr><td align="left" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Arial, Helvetica, sans-serif;font-size:15px;line-height:1.55;text-align:left;color:#1d1d1b;"><strong>Helene Maria Kyed</strong>, Senior Researcher, Peace and violence<br />
          Phone: <a href="tel:+4540963309">+45 4096 3309</a></div></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" width="600" style="width:600px;"><tr><td style="line-height:0px;font-size:0px;mso-line-height-rule:exactly;"><![endif]--><div style="margin:0px auto;max-width:600px;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" align="center" style="width:100%;"><tbody><tr><td style="direction:ltr;font-size:0px;padding:16px 0;text-align:center;"><!--[if mso | IE]><table border="0" cellpadding="0" cellspacing="0" role="presentation"><tr><![endif]--><!--[if mso | IE]><td style="vertical-align:top;width:600px;"><![endif]--><div class="mj-outlook-group-fix mj-column-per-100" style="font-size:0px;text-align:left;direction:ltr;display:inline-block;vertical-align:top;width:100%;"><table border="0" cellpadding="0" cellspacing="0" role="presentation" width="100%" style="vertical-align:top;"><tbody><tr><td align="center" style="font-size:0px;padding:6px 24px;word-break:break-word;"><div style="font-family:Arial, Helvetica, sans-serif;font-size:13px;line-height:1.55;text-align:center;color:#5f5f5f;">
          You receive this because you subscribed to DIIS research newsletter.<br /><a href="http://127.0.0.1:8080/archive/">Unsubscribe</a> with one click at any time.
        </div></td></tr></tbody></table></div><!--[if mso | IE]></td><![endif]--><!--[if mso | IE]></tr></table><![endif]--></td></tr></tbody></table></div><!--[if mso | IE]></td></tr></table><![endif]--></div></body></html>', 'cover.png', '\x89504e470d0a1a0a0000000d49484452000004b0000002a3080200000082d1619700009ad34944415478daecdd777c13e503c7f14bd3bdf7a08542192db4a5ecbdf7922588b2541405c52d088aa2080e444505541ca8207bef51f62e1b0a14282d6d29b4d0bd777e7f1ccd2fe6d2344dd3c9e7fde28fe372b9dc3dcfe57adfdc73cf23f31eda5500000000003c798c2802000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000804008000000002010020000000008840000000000022100000000a016327e62f77cdffb5da533150a21afb02833b7e05e5276d883f493e189d7efa7e9b89e692b2fde8acbd0f125252b33e3befeae6d1b383674b5b2353729282a4acacc0f7b907638ecd1993b498af2ed8eb847f9854519b9050f52726e3c483b74e3d1edf80cdddfaed18a93d12b4e46692fc682a2a2acdcc2b8b49c1bf7d383afc797b4fbaabc9d2c3b36726ae56def66676e6f616264244bcdca4fcaccbb1c931a129174f55e6a05954099f65d4dbf85c738890000008040584bc8648299b19199b1a9a39569f3ba76cfb4f38a7894b9f4e09d2b31a915f171bd9aba4eebddd0dafcffb5602c97d7b197d7b137efd5d4f55a6cdafc1d6109e9b9e5dc23536323476353472b537f4fdb516dbc8e843dfa6edfedecbcc20a2d4613b9919da5919da589afbbcdf056750ede78f8fdbedbb9f9451a9777b7337fa96bfd6e7e2eb2ffce77b53573b535f3f3b019d3ceebfafdb46587234bcde7d5a404000000000261cdf0cba188d894ecc7e14110cc8ce56272685ddfdecaccd8c7c5ea9b31cdd79c89597eecae613f77745bafc9dd1b0882a010843377922e45a73c4acf3537316a56c7b65733570b13b9bfa7edc231cddf5a7529352b5fbfdd1104412e93999bc83d1dcc3b34746aec662d0842773f17271bb3196baf1414294a7dbb46b149d9a5bed1546e64636edcbabe43e7c64e463259afa6ae8e56a61facbfaa907c668097dddce1cdc4545c58a4b81c937a212a39213dafa0a8c8d1ca34c0d3aead8f838589bc591ddbef9e6bbe685ff89eab71862d818f375fd3b89ecf47f8eb5e260000000081b0460a8d4d953668dc7c21d6d254fe5c877acfb4f39209c273edeb9ac865cb0e471aea43fd3c6c5eeed64010848cdc828f3684de7890ae7c69ffb5876bcec47c312aa0aea3651d7bf3d77b35fc62475839774710841527a39f6ae1f1469f4682200478daf60f74df79f981ee6fd7ef73775d896b5ed76efec8003313a316f5ec8704796cbff49f0f6d56c7f6ab5101a6c64682205c8e4ef92138fcde7fd3e6960bf76d2d4c26776bd03fd0cd48267bb77f632399b0eb4a9c014be0cc9d24fd8a14000000a8e9e854a6445979857f1c8d5cb0eba6f8df516dbcda377434d4ca9f6eed2993098220ac3913a39a0645f169b973b7de282c520882d0c3cfc5cbc1c2201fbafdd28393e189e274afa62e95538c576252375f8815a79f6ae1a1fa929599f1acc1be621a3c7e3b61d686d07b9aee3da665e77fbbf7d63f271e3fb538b557436f67cb1a54020000000081b0a63a70fde1960bf7c5e9b7fa34921bc90cb2dac0ba76e2c4f558cd0fc54525665d8c4e11a7bbf93a1b6a778ede4c10271a385b555a191e0e7b244ed477b6527d60726c87ba6e76e68220dc4fc9f97ad74d8d4d5895569e8a166fe599191bbddeab61cd2a0100000080405853fd73322a2baf501004671bb34e8d9c0cb24e5b0b137142bc3fa6d1b9c8e4fb2939f75372ec2d4d0db52f0fd372c409735379a515605c6a8e72dac9eaf1be5898ca07357717a7971d8e28a9bf19558b0fde111f416c51cfbe91ab750d2a010000008040585365e4149cb8fdf8b692a16ed6a5653fee27a6757d879296d9743ef685dfcfbef0fbd9a507ef186a5f2c8a535072665e9514a6f22660c7864e5666c682202464e49d2eed293e517c6a4e48e4e325fbf8bbd6d012000000000884354c4864b238d1d4c3d6202bbc5c3c8ec5b09675da949c090daea5b7bd3871e16e4aa57da8bb9db9320d26653c8e61cd8b1bcd9e8b4c2a52e83ae06248c4e34018e86557834a000000002010d660918f32c509575b334b4334355c733a467c64ced4d868fea8808f87366d5ddfc1d8400f2896c4d7dde6a9a03a822064e717ae3e135d69a5d7ddef71f72d771e6664e41688d34ddc1fb7f92c53079eca851bba5ae9515c55550200000040f5c4b0133a4952695e68636e9c55ee31cd231332e76fbff1c1205f7313b94c10ba3671eedac43937bf283436f54254cac9f0c4d864c30c7c27930966c6f27a4e169d1a393dd3b6aeb15c969a95ffc9e66bf75372342e1fe069e760a5ed91c533ba35ef546a5ed76e642b4f715ad93d8f20080ec50f463e4ccfd57d6d8f8a173692c96c2d4c927468f659d612000000000884f88f6c95046865662c08b9e55fe789db8953febef04297fadd7c9d8d64324110cc4c8c5ad777685ddf6172f706a1b169ab4e459fbb9b5cd6d52e1edfb2a497f20a8a369ebbbfe1dcbdc48c1273d4949e3edad7df6fe1315d92a4899191ad85712b6f872e4d9cc4bd3b7527717f68bc6aae1627328bef19ea224365611b73638d81b09c25000000001008f11f267223d55061a8d5de4fc9f96247d82f874c7bf8b9b4aeef10e8656b6e222fce57b65f8c0a381cf6e8bbbdb773f20b0db317c64632999054319da9684f927baec6fd181cae28f7a72814d5b704000000000261ed6465f6ffe706d3cb72474b174999799bcec76e3a1f6b6c24f3f7b4edd9d4b577335733632341107af8b9589919cfde18aa7b0efae550446cca7f9a9b5a9b19b7f771ece1e722138491ad3db3f20a9583bc4b4d5b79b14c0ff595a4a048919357f8303df7fafdb4bd57e36fc6a5ab2d909e53e0646d2a3cbee3aa2b1b95610cd3730a2aa204000000000221fec3d3c1429cc8c92f548e18617005458acb31a9976352ff3911f5fec02662efa36d1b38f46ee61a7cfda18e2b098d4d9526ba03d71f5e8c4a79a77f6341109e6d5f77dbc5fb295906de8bb226c9e4ac3c3110bada98e9fe2e97e2858b148a922aa2aa4a00000000a871e8655427ca61d06fc565281415fe7149997973365f8f4c78dcb569df00b7f2af73f7d5b8ebf7d30441303692f56aea5ae5457af3c1e37b86beee36babf4bd93769787ca6d84d6bcd2d01000000804058337469ec244e5c8a4e29ffda4c8d8dc47f5a96c92f2cda5adc276743172b83ecc591b004b5585585aede4b1327da3470107b9dd1457b1f4771223436b5a6970000000050e568325aba86ae56fe5e7682201429147b55fac9d4b3c48d649bdfe828f652337ded15e508f552d18959e2848521463e140441f9205f7d67ab2a2fd553e18919b905d666c64ed6a61d1a3a9e0c4f2cf52d6e76e66d1b3c0e84fbafc5d7f41200000000aa1c77084b219309537a36146f601d0e7bf428bdbc034e1414296ec73f7ec2ad7fa0bb962595393029d3304fbb29bb5a71b535abf282cdce2fdc75394e9c7ea5878f9971e987e2b45e0dc55b8917a353ee3cccace925000000001008ab771a1484293d7d82eada0982909a9dfff3a10883ac765ff16dc6de4d5d03bdec4a5aac5b131771e24254b2413e37352b5f1cc1c2daccd8c2445ee5c5bbea74747c6a8e200875eccd670cf2951b696b383aae63bdf60d1d0541c82d285a7ae04eed28010000008040584db9da9a7d3cace988569e8220e417167db13d2cd540fd52eebb162f76182393097347346bdbc0411a4447b6f6ec17e826084241a162e3b95843edd4bda4c7b7c8ea3b5b56790967e5157eb9f3a638ae63d726ce5f8d0af02aeecd5595ad85c9bbfd1b3fdfd95bfcefcf07ef441537a6ade92500000000542d9e2114023ced1cac4cc569b94c66666ce46a6b16e865d7cadbc1582e13042133b7e08b1d61170dd19d8ca8a050f1f9d61b0bc63477b636b532339eff74c09598d433114971a939822078395874f773f171b1120441a11016edbf1d5d8efca3e6cec3cc466ed682203471b7b9f1205d7b6994243629fb5e72b641b6e7fafdb4591b423f1bd1ccdacc38a89efd6f2fb6be149d72212a25213db750a170b0340df0b46de7e328b69e2d52287ed817befb6a5c85960000000040207c824ce9e953d24b0a4108b993f4d381f08769b986fdd07bc9d96ffe7be9ad3e8dc46690cdebda35afabde7634213df7fb7db7cf46261bf073afc6a6f60f741304a19d8fe3d68bf7cb541a4a2b4e46af3869b081ddafde4b7dfd9f8b2f756bd0d5d7596e246b5ddfa1757d078dd171d9e14871dc880a2d010000008040f884522884bc82a2b49cfca8c4ac1bf7d30f853d54b63034b884f4dc8f375f6be46addbb996bd33a369ef61656e6c685458a94acfcdbf1e9a7c2138fdc4c109b531ad09988a4c22285dc48d6babe7d3d274b03de7b2c8f07a939f3b6dff03e65d9a9a1532b6f7b373b733b4b13b94c96969d9f9891773926f54c44d2d57ba9b5b804000000802a21f31eda9552000000008027109dca00000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000004020a408000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000008333a608004047418d9bf6efd0b5a5af7f7d0f4f5b6b1b7353b39cbcdcacececf8a484d84771af7e399b220200000442d4486f3ff7a2da9c45ab9757c996d85bdbbef0d4d3d2f955b53d8020082d9a34fbec95b7831afba9cdb732b7b032b77071700c68d88452020000358ecc7b68574a018220dcdd7a546d4efd61ddaa644bea7b781efe65b586f955b43dc0949163a74f78456e544a1b7b0e51000050e370871000b47975c473339f9f423900000002e193482693f978d66dd334b0b55f4023affaf63636f6d6b6b6d636454545d9b9390f9313631fc6ddb87be74258e8c92b173273b229b1aad5a04edd99cfbfdab9796bb95c7eee46e8c295cb2edf0ea358a0b7c086be3326be4a39f08d06d50a0004c2278ebdb5ed98be83c70f1c5ed7cd43c3cb72b9a989899db54de3baf57bb4ee2008425e7efeded347ffdab1f17c5828a557251a7ad5dbbce0175b2b6bf1bf5d5bb469ef1f347ecebb21d72e53385adcda7040f785150a854250141615e517e4e7e4e6a66765a6a4a73d4c4e0cbf17753b3af2c2cdebf71fc5d7a6c2993de9758d2d45b372720e9e3b79f9f68dc4d414136363475b7b6f0f4f8e25bed1a05a018040581b589899bf3bf6a50983869b9b9ae9fe2e531393a7baf67eaa6bef43e74f7ffccb77f71ec65192956cd60b53951719ca4a9937e5dd7e6f3c4fe1683f74f5fba208d682bb938bdadc98f80707cf9dda7eecc0f9b050854251a34ba6919777fb8016d2f9a7432fbeb1f0b347c9491c3c7ca341b502404dc73884eada07b4d8f3e3f2c9c3c794290daaead9bac3de9ffe1ed4a9078559c93a06b692ce6c52af81b3bd03855369eaba793c3f78e486af96042f5e31b6ff507dd366b5d0bb6d27e9cc47c9492fcd9b451ae41b0daa15006a07ee10fe87d87b844c26d3be5891a2c848a62d4b5b995b2c99f1d9473f7fbb6aef364ab5cad5f0db54355543af7a5fbcf6fed4a7c77df5f72f3b4f1caa89bbd05c32c88420081b0eeececccea27e4b25edb85810841e539ebbfb20966f34a85600201056476f3ffba2742c3e41100a8b8a4e5c3eb7f7f4b1d03b37a31edc4fcfca2852286cadac5dec1d5bfafa776ade6a70e79ed2db203299ecf329ef26a426ef3b7d8cb2ad1ca7ae5ee8d3b6b3dacc5bd19189a9c9144e55a9ebe6b164c667434ff79eb5e49ba4b4d49ab5f10dea7849675e09a7f70bbed1a05a01804058eb0cebd647631adc7df2c8bce54b62250f04a666a4a766a487df8b5a7f60d7fce54ba68d9ef8fce0916ab716e546463fbd3767c48ca9d7236f53c295e0abbf7e69efdfc2c6d24a3927bf20ff935f1751327ad07227c74866646464646e66666966ee6867efe5e2dec4bb418bc64d3b356f65ad52f8aafa77e8d6bc71d3499f7f702332bc061582a3adbd74268d45f946836a0580da846708054110dc9d5cbe78ed7db599458aa2d9bf7c37f5eb8f634beb1e262125f9d3df7e983cffc3ac9c1cb597cc4c4de74f7db7d436a83088f07b51c3a7bfbaffccf1ccecacecdc9c1397cf8f9ef5c6e9d08b948c6115298a0a0a0b32b2321f262786ddbd137cf6c4d20d2b5ff9f2a316e39f7a79deaca3174334becbc3c965c3574b3a06b6ac417b6aa329df66d05e946f34a85600a845b843280882f0eed8495616966a33bf5ff5e7cadd5b745f49f0d9136f2cfc74d9875fa87552dfd2d7ff993e83d6eedf493957823bf7a2277ff121e550250a0a0b82cf9e083e7ba24dd3c07953dff3f3f6515bc0cadce28fd95f3fffd9fb67af5fa9117ba4b1479cbcfc7cea9a6f34a85600a835b8432838dad98fe8d14f6d66545ceccf1b5795755507ce9e5cb679b574fe5b635ee026219e1ce76e5c1dfade648dbfa7589a9b2ffbf00b2f57f71ab123c6720d3f9915151552c500008040587b0cecd8ddc458fd3ec0b6a3070a0a0bf458db920d2b935253d466d67171eba0693433a0b6cacbcf9ffdcb770b562c93bee46063fbcbcc791ab35675c3ef380000804058fb756aae614c24bd9bb46564656e3cb4573a7f54af8114359e344b37acfc55d33df380864d260f1f43f900000054399e2114fcbc1b4a673e4ad1bf23c19d270e492f767bb46eafff16d66fd8b659f3a0467ef53c3cbd5cdc6cacac2dcccc0441c8cecd4dcfccb8f7283efa41ece5f0b0b3d7af84ddbd53adcab69e7b9d4e81ad5af9f9fb78d6f37275b7b1b2363735cbcac94e494f7b989c187ae7d6d53b37cf845e8a897f503d8f0d994c16d4b869c7c096cd1bf9d5f7f0747372b132b7303636cecec94e4e4f8b8a8bbd1179e74ce8a5e397cfe5e4e556e896740c6c39bc7bbf567efe6e8ecef905f977ee457fbbea8f33a197aafff76bc13fbf0635f6eb10a0de97cc5bcfbeb0e9d0def8a4849a5e3535f4e8921b19b569d6bc6340cbc046be0dea7839db3b5a9a9be71714a4a4a7a5a4a7dd4f7878eec6d5b3d7af5cbe1d965f50ab9e99ac86a7d3c086be6d9b05b66e1a58dfc3cbdedac6ceda26bfb030253d2d2d33fd6654c4f9b0d0d3572f45c5c596ff834c8c4d3a07b56ee5ebdfd2d7dfd3c5d5cedac6d6ca3aafa020353d2d3523fd76ccdd7337ae865cbb1c161551d36bb9d28a14006a0799f7d0ae4f78115c5bb347daa3cc80b75ed4fb6ac04866747ddd5e735333b5f9ed5e18f1303951f7f5b838384e1c347258b73ef5dcebe8f896e8b8fbdb8e05ffb37373993e48241d45bafeb06efa9580a989c9d33d073cdbefa9204de37a4b85deb9b572f7960d07771714160a8250dfc3f3f02f1a6e2be9b23d861a0bdbc1c6f685a7468dea39c05387a7dd32b232b71d3bf0f3c67ff54bb6dab7b949bd065f4f9bd1d2d75f6d81456b962f5abddc205f818a1b405cd4b86efddd3f2c3796cbd5e6ffb96dfddc3f7e2aebda2aba6a6e6d38a07a244b17c82fc8d73882769351bdabe1d125e56ceff0d2d06746f51ae8e2e058eac2a919e9ffeed9fad78e8dba9c52548bae4ca5a7a5e80c757056f2e954972db732b718d57be0f881c31bd7ad5feada8e5d3ab77cfbfa83e74ee957e9ae0e4e2f3e356a4c9fc18e76f6a52e7cf1e6b53fb6addb7df24861515105fdd9d5af5aab559102406dc21d42c1c2dc5cc335939d83de2b2c521445c446376bd0586dbebf4fe387e775bab0b0b2b07c6fdccbe3070cd37845a5453df73ad3464f7c65f8732bf76cfd6ed51f19599995fd03834cf674af011f4c7855976b4da580864dbe9a36e385a7464d9e3fabcaef169a189b4c7d7aec9491e32c351d181a595b5a8ded3ff4993e83966d5eb368cd7203f64269696efefb475fea7e095b3ddd8eb9bb6aefb6898346a8cd1f3b60e8f7abff4cd7f928ad9caa29f54b277de4b8a61c5d66a6a6d3464f9c3c7c8cf4e7aa92d859dbbc366afce4e1637edfbaeedb7fffd0fe64b52ee7abf2949e7eaae7e9b477db4ef3a6bcebe1ecaae3f25d5bb4e9daa2cd9e5347672d59909c9e56a6cf1ad9b3ff9c97dfb4b3b6d171f996befe8ba77f1672fdca5bdfce7d90f0b0a69c672ab34801804058dbe4e71798999a4a23caf1cbe7f45ee7a7cb7e707372519b19793f4697f7760868b9e8ddd9ee92b7ebced4c464d253a30675eafef677f32a7370277727971fdefdb8bdbedde7f879fbfcf0ee27a366be5e85074343af7a3f7ff079937a0df4f92ec98d5f1b35be5bcb762fcf9f1597f8c820db33f3f9a9353d0d8abe5ff5c7983e83d5be68e6a6664f75edbd6aefb69a583535eee8f2f56ef0f3079ffb78d6d337c78eebd2a2cd9b0be7ea781eab26aae7e9f48d6726be37ee653dde38a063b7164d9a3efbd19bbadf209d37e5ddf10387ebf159ed9a35dff3c3f2c9f36785d48441622ab34801a0f6a1531921292d453ab377db4ee55967c8f52bdb8f1d50fba7cbdf9be7fa3db572ee77a55ebe14298a8a1445a5c6b39573bf7baedf5395538c6d9a06ee5af467a969507b1ba4567efeaf8e7caeaa8e841ead3b6c5bb84cfbf5ba426363c1fffe94b079c1cf9e861856a16360cb097a5dc95543c9e9691a9b660defdeb726564d8d3bbafab6ebbce59b5fb5a7c1524f29810d7d372df859bf405b25aae7e9d4ddc9e5f5d113caf3f67fe77eefa15bc4fde4a537b4a741ed27643b6b9b3f3efedaaf7ec36a5ed19559a400502b718750b8131b2d6d64d2b659f34ecd5b9dbc72a1922f5fbe78ed7d8d3ddd2b148a1357ceef3f73fc7c58e8dd07b162e3256b4babfa1e9eadfd02fab5efdaa9792be91b8de5f22f5e7b5f1084d5fbb657e896f76cdde1e7999f6b6c8796979fbfefccb1e0901357c26fc6c43fc82fc8b7b6b472b1770868e8dba75de7de6d3a5a5b5aa92effce7393eec44657fe61d0b75de7a51fccd5d89eed6654e4ded3478f5c3873ef615c626ab24c66e46c67efede1d5ab4dc7c19d7b48afce3d9c5dff9dfbfdb0f75f49cd48d77b7b2ccd2d17bc3153b54e33b3b382cf9e3c7a21e4ea9d9b89a929c969a935eb8bb6e5c8fe819dba4b7e0208b0b2b0ccccceaa415553e38eae215d7a2d7af763e9339c8220dc7d10bbe3f88103674fdd7f149f909264642477b2b36fded8af47abf6237af4b330536fd7ea6063fbefdcef47cf7abdfadf4ea9b6a7d377c74e523b551e3e7f7aebd1e08b37afc525262804859d954da3badeed035a8ce93358639af574755ff8d687e33e7947fb07756bd96ed2d0d1d2f989a9c97f6edf7020e444c4fd98bcfc7c6b4b2b3f6f9fde6d3b8d1b30ccd6ca5a6d611b4babbf3e59d067dac4ca7f00a11a162900d456742a23bc35e68577c64e92ce8f8ebbfff4ccd71e252755ce66746dd1e6ef4f171ac934dcb33d7cfef4bc3f9784df8bd2f2f6c675ebcf9ef47af7561afa322d52143dffe9fbc72e95d20256ef4e655afb05fcfbf9f71ad3e0bae09d0b57feaea54b067b6bdbd7474f787ef048d5c77be29312dc1c9da50b575ca7322d7dfdd7ccfb41da723826fec1d7fffcbae3f8c192de68626cf2d2d0d16f3dfb82f4d2797fc889c9f367e952801ab7f9d8c5b35d5bb615a7f30bf2ffdeb969c9fa1515f4a04b45772a23323531b9b862bbb403a797e6cd3c70f6640daa9ab2964cd5ee42c7c0962b3efb563aea635a66c6577fffb27adff6926e4b3adada7df4e2eb4ff71a207de95674e4e0775e2eb5f75183949e7e2ba9f2d369495b3e79feac5f66cd971b3ddeb03bf7a2dffff1cb8b37af695c83b1dc78da3313de1cf3bcc61d79ebdbb95b8f0697f4e9c672f9fec5ff34a853576dfed53b375f9c3b23212559638dfff0de9cae2dda485ffa73fb86b9bfff58e5e79caa2d5200a8c568322aec3c7148e3fc7aee75fe9dfb7de5b48f727374fef1fd4fa57fa20a8b8a3efded8717e6ced07ef92208c2ed98bbcf7f367deeef3f4adb3e19c98c7e786f8eab8353456cb9b3bdc3b20fe74bd360564ecee4f9b366fcf4b5f60efa5232d2e62f5f327cfa94d88771aaa551990780a39dfdb259f3a5d7ebc72e9d1bf4f6242dd7eb6254fb65d3aa0973de93f68cd2b75de7913dfbebff0341711a4c4e4f1bf7c9bbf3fe5c52d3bb3dc8cbcfbf16715b3a3fb0a16fcdaa9a1a7474b93bb9fc32739e340dde8a8eecf3fa84557bb76969a49a9496fade0f5fcc59b648fa52937a0d5e7b7a5cb53dd2aaf3e974fa845794d1e574e8c561d35f2d29ba0882505058b068f5f20f972cd4f8ea54ad55d031b0a5340d6666674d9effa1c63428d6f84bf33ed03806eff383477abb7b56cfeaaeb422050002616d167e2feae8c5108d2f35a9d760c777bfbf3ffe65475bbb0add86cf5f7dc7c1c6566da642a178fbbbcfffdab151f7f5fcb97dc37b8bbe905ee439dadacd7db5421ac37c3ded0327498fac593939e3e7bcb33fe4848e2bb91e79fba9f75f09bd73ab4a0e807953de95f689bae7d4d117e74ed7b103cc7337aebef4f907d26bc70f5f784d7a6fa74c32b3b346cd7c2de4dae5daf15dbb16a921106a7942a93a574d8d38babe797396b46fc99b5191cfce7e4bc7a114fedeb969f1fa7fa4f3a73d33a1ae9b47f53cccaaf3e954f90b63d8dd3b2f7d3e539776986bf6efd87eec80c62f8e96ef4edff61adafeacddbf537b8f4479f9f9ef2e9a9f9b97a7365f6e6434bacfc0ea59dd9556a4004020ace5e62f5f5252f32753139369a3279ef87dfd57d366746ade4af94ba401756bd9ae5f070d7fbc7f58fb97c63f5ada6d3ebc6fc98615d2f9033a76d3d816a83c7ab4eea0b1f79d994b165c08bb56a65525a5a64c9e3faba49fae2b4e97a036833af590fe46f0dea2f9e2a0883a0ab97e65f9f60d6a339ded1dc6f61f5a9ecd9bb9e49b3bf7a26bcd17ed46a486b13d7d3cebd6c4aaa9fe4757ff0e1abef2d9b93993bf9895949aa2fba72f5abd5c3a28ab89b1c9b801c3aae13156234ea7b9797953bffe2433275bc7e5bf5bf587c67bb9bdda742ce92dad2423970a8270a4849f3e55c5c43f5817bc533affe95e03abf3b9a5128a14000884b5dccda8c839cb7ed0b2808599f9b37d87acfa7c51c85f9b174fff74dc8061faf5deaed17be35e92cebc151db978dd0afd56f8e3dabf35a608fd7ae5d662faf8c9d299fb4e1fdba6d763180f121fbdb1f0d34aaefae9135e519ba35028defa76aeee17162a57187f4a7f9c7ef1a9511abbb5d0c5b14be7f4b884adcec2efdd95ce2ca9857075ae9aea7f74c964b2e913347c3d17aefc3d3aee7e993ebaa0b0f0f33f174be73fd37b50e50f2a583b4ea7cbb6ac29d3e81d91f7ef8546686840a1e589068d23c1ea38a8e0bae05dd2991e4e2ed5b6d568e514290010086bbf557bb7cdfb7349a9ddbe3bd9390ce9d26bfed4f70e2e5d19f2d7e69fde9ff374cf018e76f67a7f6e9ba681418d9b4ae77fb874a1f631a0b5c8cbcf9fb5f41be9fc164d9ab5f2f3375489b56dd6dcdfa7b1f4a367fff29ddeeb3c75f5e2a9ab953770629ba681418dfdd466ee3d7d4ce3a36ea5caccceda7868afda4c2f57f7b6cd9aebb7797f6e5b57cbbe65e9991a5a73d959db48470cafe65553fd8fae2e2dda34f2f2569b1913ff407aa75117272e9fbf151da936d3d1cebe5bf193aed5448d389d66e7e6e8f1d53eaea91b9bc675eb97b4bcc6c71ca45f348d42236e697c6239a06193ea7962a99c22050002e113e1f7ad6b27cc79ef81ce833ebb3a383dd5b5f7b76f7f78eeef2dab3e5f34a6ef602b738bb27ee8b37d8748679e0f0b3d77e36a79f625e4dae54bb7ae4be71b7058c2317d064b67ee397544c767934ab274c38a4aab718da5b174c34abd57a8b1a9559fb69df558557c52c2e10b676ad957aca4c77ba45f9cea5c3535e2e8d27862d9706077a903ee95fce9bb3406b06a7580d588d3e99e5347f5e8202af2fe3d0da9afe4df2235de85d6f1f69742a198b978c19c658bd4fe95f5de72a5a99c2205805a8c7108ffe3f8e573fda64d9cf5c2d467fa0c9276cd5762aa9619756adeaa53f3561f4f9ab6fee0ee659b56eb982ae546467dda6bb89e5bb36f47f9f765cdbe1d2d9a34539bd9b77d17239991de1785aabbdc4bd3d383abf66e2f77159c4f4e4f93f60961707223a3deedd477e141c2c32be1617aaff37a64784a469abdf57f36be73506b3d56753e2cb4d4fbd5354e5a098150ad97da6a5e35d5ffe8323136e921193241a150ac3fb85bef4f3f7cfef4ec49afabcd949e61aa504d399dee3a79588f0db8ff285e3ad3c2ccaca4e5135292d50e154110c6f419bc49729f59a3bda78fd6a0134be5142900d462dc2154979e95f9e1d2853da68c5dbb7f67a9036da9b1b6b47a71c8a8a3cbd6cc9ef4bacd7fc75bd7a8459366d2bfd979f9f93b4f1c2cff8e6c3f7640bafdf6d6b6414d9a967fe5818d9a489b24a564a49d0e2d6f834f854251ce9ff375a4b1f08375ee19b5a48d3f137a496da6afb78f1e8f5a69e939bde6cac9cdd138dfd8d8b806554df53fbada360b948ef718111ba3f10a5847e1f7a23efbedc72ffe5aaafa4ffbb01995ac469c4e0b8b8a4eebd52a3e233b4b3ad3ccc4b4a4e52fdfbe219dd93ea0c5ab239eab6567954a2b520020103e71ee3d8cfb60f1d7ed5e183167d9a2cbb7cbf6a3be89b1c9cbc3c6ec5ffc4fb796edb42fd952534770d7236f67e5e4947f173273b2af6bead4b1a5af017ed4d7f8a0ce95db610629fcb3d72b6394058d3737ce963b8b4a3bd23496cb1b7a95b90ba2bb9a9a33d574d2942252ebe6be9a574df53fba347e3d3576a15126cb776c58b6798deabf7ff76cad3e47578d389dde8eb9abe37023ea3fa6e4e56af825452e2f69f9fd678e6b9c3feb85a95fbe3eddd6cabad69c552aad48018040f8844a4e4ffb7be7a661efbfd265f2331f2e5db8f3c421dd1f54707772f97bce37af8f9ea065198dcfe85f3650ac1204e18aa61f89037c0cd03180bf4f056ef9bdf8b84aa85c8d855ffe181613ff403ad3cbc5bdaceb49cd48af7d5f28eb126e9be7e6e7d5a0aaa9fe4757b3068da48b5d0dbf59bb4fd735e2742a1dc04347859ac62931322a31bd04879c8c88d53c62cd73fd9e3afedbba19135ef17475af05f55e69450a00b518cf10ea16511ec6addabb6dd5de6d3299ccaf7ec30efe2dbab66cdb31b0a5f681a16532d9f4f193adcc2d16ac58a671817a6e75a4330d383efb554dabaae75ea7fc6bd6b812693f84fa49c948ab843ad5b80b1165e9b8bc844b760dfd2eb83a3a95753d699919b5ef7b6463a9e10e6191a228f3bf6db7aa79d554ffa3cb4bd385bec630599bd488d36964ac9ec780c6812b8d4a1e37a5a0b060ce6f3ffc3367a1c681496cadac5f1b357eead3e3ce5cbbb4eff4b103674f45c5c5d6d07aafb422050002211e5328143722c36f44862fdfb1c1c2ccbc67eb0e4ff71ad0a375072d03d6bf366a7cc4fd980d073474e7e0e1e22a9d99986ab0c1d9350e3f5dc7d9b5fc6b76777291ce34d44dadcab939e6a169174257efae88cfb2b22873f7b31a9b33d574d6161aee1026a6a4a85d9955f3aaa9fe4797bba6ef787a562dfc89a1c69d4e6313f47c8c53a1a9eb1aed03691ebb78f6a39fbffde2b5f74b5a402693750868d921a0e5272fbf79332a72efe9a37b4f1fd56f58942a5499450a000442a8cbcecdd975f2f0ae9387ebba794c7d7adc337d0697f4f8c16793df3a71e99cb4eb515b4d2de80c786b282d5343b232c8d3231a07b9d2ef410ea94c4dcffa1b5c653e45a3d68be613ab81675de9ccb8a447b5af6aaa7617349e5832b2b26af7d155234ea70929c9955926abf66ecbc8cefa62ea7bd6a57572e6ebddc0d7bbc19b639e0fbb7be79f5d9bb71cd96790672f2b4125172900d44a3c43680031f10f3e5cba70c83b2f5d8fd4fcdbaa9585e55bcfbd289d6fa6e962d4a057301a5665aeb5996b792ea3d36b542b47f34aec5e5c63dba42750b3fa1a9e6dbb1d7db7f6554dd5ee82c6134b46762d0f8435e2745af9cf066f3b1a3ce0ad170f9e3ba5e3f27ef51b7ef1dafba7fed83879f8980aea83d7b06ae5e3d6004020aca9c2a22246ce78ada471179eeed95fda257a452bd23c909d0146b73331d1706fd950fdb3554ea31d23a3ca3bf86bfdb5b88e9a6aeaece47a6478edab9aaadd0523230ddf201e8eaa0ea7d36c4de3c557b47b0fe3267dfec1e859d34e5c3eafe35becac6d3e7af1f5e025ffb4f60ba8e6f55225450a00b50c4d460d29272ff7a579b3b62efcb59197b77a823236e9d7a1ebbae09daa3373f3728d251df11bb0b1999db58d868dcc35c0c369050585a626ea97bcd63a0cbda88bca19092a372f4fda27507e417e458c069f9e99c1b7c34866d4b44143e9fc4bb7aed7beaaa9da5dc8cbcf97dec337aded03acd588d3697e61415595cfd9eb57c67df28e8f67bd7103860ee9d2cbcdd1b9d4b778bb7baefde2c7797f2ef96bc7c66a5bef5558a4004020846699d959737fffe99f4f174a5fea10d0422d10a665655a55e8158c95862b1883b4a1cac9cb3535516f4d6463a04068616e510935959d9b2bbd64efffe68b25f5d58e726aebdf5c7a933c333b4b1a086b41d554ed2e64e7e64a03a19db575ed3ec06ac4e9b4b0aa5b8f47c4467ffec7e2797f2e096adcb45ffb2e7dda756e52af81b64b04b9f1a793dfca2f28a856634e56ab2205805a8026a38677f46288c6becefdeafba8cd79f0e8a17431273b07436d8993bdbd74e6fd8487e55f73a2a60ef70cd583bfb39d7d255493c6ee07a529178632ac5b1fe9cce397cf491f81ab055553b5bba0b13f4c677bc7da7d80d5dcd369e5532814976e5d5fb06259bf379eeffaca986f56fe16a97590ccb9afbed3a669202731002010a20c0e5f382d9de9e1eca636275ad3a862818d7c0db519810d35ac2a3aee7ef9d71c27e931551084660d1a1b64b3ebb8b855421dc52526486756fe739e4f0863b97c60a71ed2f99b0fefab955553b5bb109fa4e1d30d3200697556734fa7552b26fec192f52b7a4e1d3bf98b0f6f481ee815c98d8c3e7e691ae73100a8b5d7694fec9e776dd976f2b0316a336f4645ce5fbea4fc2bbf74f38674a67454eed03bb78677efab3633a8715343ed6350130dab0a8d30c048cd77ee45750c6ca936d3dfc73081507b13264389bc1fd3b5451bb5996e15334c3946f4e8ef60a31e8792d3d30e9c3d552baba66a77212a2eb653f35655f2b5aa4235f7745a4dec3f73fcd0b953d3464f7c5b539fd8418d9b766adeeae4950b9ccd008040587be4e717746bd94e6d66878096dfaffea3fce32f25686a305654a4dea1c4c59bd7a48b356bd0d0cadc22b3dc3da7595958fa79fb48e75fbc79bdfca5a771f0627f9fc61666e6d9b9e52dbdcae9d72eecee1de94c1faf7a9c140cced2dcfcfdf12f4be7ffb57d437e417eadac9aaadd855b5191d2992d9a34addd8759cd3d9d561f0585858bd62ccfccc9fae8c5d7a5aff66ad39140080004c25ae5c6dd708542a136c281a98949b796edf69c3a5ace956769bafec8908cdb7ee9d6f5948c34b5866426c62643bbf559bd6f7b39b76158b73ed251a45232d2aedcbe51fed23b73edb274a6859979dff65db61d0d2ecf9a9ded1d7c355d7819dc85b050e9cca0467ee559a7b5a5d5915f561919fd67f88da807f7864f9ff2249f65a68c1c27edd230333bebaf9d1b6b6bd554ed2e5c0ed7f01df776f7ace75e47ef268ebdda747c6dd478b5997fefdcb4fdd8816a7298d5dcd36975f3fbd675833af568e9ebaf36bf9d7f10d74c004020ac555233d2c3eede910e8cf6c290a7cb1f085d1c34f4df101517ab36a7b0a828f8cc8951bd07aacd7fb6df90f25fc13cd7ff29e9ccfd678e17161595bff42262a363e21fd475f3509b3fa247bf7206c2a15d7b57ce38846151110f93135d1dfed38aaf6db3e6a6262679f9f9faadb36dd340692716fb4e473ec9a7187f9fc6af8e784e3afffbd5cb4b1a51ba16544dd5eec295db61195999d261600676ecfeebe6d5fa7dfaf0ee7da5dd8acc59b6a8fa1c6935f7746a58cff57b6a4cdfc16a334f875efaeaef5f745c8342a15817bc4b1a087519a9020050133dd19dcaec3d734c3ab34340cb567efee55cb3afa6c775ae6aea7a74cdfe1dd299418d9b760868599e0de81cd45a631708e5bf3052d218fcbab56c579e4795e44646cf0f79baf20e0049f2b7b2b0ecddb693de2b1cd8a9bb74e6e9d08b4fec57ccd9dee19799f3cc4cd547c00bbb7be7af1d1b6a77d554e12e1414161ebe10a229d50c3592e973ceb7b2b0ecd9a6a3dacc87c989d74be883440b99ac02ffe8d4dcd3a90125a5a5b668d24ceddf881efdcab4128d35eb686bc735130010086b9b2d87f7152934fcbefbc5d4f7a5ad83ca644897ded29947355da29dbb71f5b2a646475fbcf69ede9dd49b999ace9bf29e74fea55bd72f845d3354e9ad0bde252d3db991d1ec49afebbdceb1038679bb7b56da01b0fec06ee9cc97255d0de9c8d1ce7e5837f53e2df2f2f38f5e3cfb647ebf9cec1c567ef69df43672766ece1b0b3f2bd03a7a582da89aaadd852d9aba6fadefe139a2673f3d3e7ddc80a1d25146f79e3aaa5028b4bc4be3ab661539f646cd3d9d1a9074604f4110dc1c9d831a97a1c5724e5e8ec61f1ab866020002616d73f741ecbed3c7a5f3fdea379cf9fcab7aafb64fdbced27b8c8f92930e5f38a371f96ffffd433ad3c7b3de5b635ed06f03de1dfb52833a5e9a3ee87703965e545cecae1387a5f3bbb56cd7bf43373d56d8d0abdecc89af56e60170253c2c44f230646bbf80a19a46cc2bd59c97df94de0adb7c789fc621e96a3d3f6f9fcd0b7ef6abdf50fad2874b17de8eb95bebaba66a77e1f085d31a1f17fcf085a98e651ce7d3c5c171ead3ea4f0f161615fdbe759df63716690a84f636157b97a9869e4e0d283e2941e3f76bc2c011baafc4d3c55dd39a13b966020002612db470e56f058505d2f92f0d7d4663d7dba5aae75ee78bd7df97ceff6deb1a8d1f2408c2d18b21fbcf68c8a5af8d1a5fd6763e82208cea3d50e3235b7b4f1f3d76e95c995655eab069dffefb87c65e2217bcf1818f67d93a546c50c7ebaf4fbeb1b2b0acfc03403af38ba9ef694c325a8ce93b583af0ba42a1f86dcb9a27ed3b656a6232f5e971dbbefd4de3c0770b562cd338f660adac9a2adc8582c2c29fd6fd239def64e7b074c667bab7803096cbbf7deb43e990213b8f1f943e14ad1e1a35dd50aaef51b14d00aaede9b432addab34d3a7364affecd75eed6a85f87aed299d7236f73cd040004c25a28fc5ed4d20dff6a7ce9ed675ffc6ada8c324594e68dfc367cb544ad2709f153fedab151cb1b3ffef5fbe4f434b5993299ecdbb73f9c3474b4ee1b3079f8986fde98299d9f9496fac9af8bca5a38bdda76d4be40e4fd98a51b35949e9db5cdea798b74bfea6ded17b0f1eb9f956d0b5332d22aed0008b97e65fd815d6a33ad2dadd67fb9583a8e5c49c6f61ffae5ebd3a5f357eede127e2feac9f93639d8d8be3c6ccca1a5ff7e30f1558d2df47e5cfbf7d20d2b9f9caaa9da5dd878708fc691183a04b4fc75d63c0b33735db2fd4fef7f2a1d9e2733275be38d383519d959d299dd5bb5afe862af9ea7d3cab4f1d01ee9e0494632a325333e93fe79926ae9eb3fbaf720e9fc03674f72cd040004c2dae98735cb4f5c3eaff1a567fb0ed9f7e35f237af42bf50775273b878f5f9ab6f99b5fa47f6ec527a6b4772d1897f8e8cd6f3f933e92672433fae4a537fe9ef34da93db534a9d760c5a7df7ef4e2ebd22e3a8b14456f7dfb597c5282f6354887ea9afde2eb3d5b77d0de0bc54f6bff3e77e3aa74be9ba3f3e6053f4f1e3e467bd1b93a387df9faf4755f2e567657505058f0f12fdf57e60130f7f79f2262a3d566da585a2dffe49b4f5e7a437b3f0a9eaeeebfce9af7c56bef4b4b292c2a62def225b5f88b63666aea64e7e0e7edd3b77d9777c64e5a3def87b37f6f9d3de9754f570d8dcd0a8b8ae62c5bf4ddaa3f9eb4aaa9c25d2852144dfff1ab4c4da9ac579b8e5b17fe2aed4652555063bfeddffeaeb1279b8f7ff9aed4db838220446b5aa67fc7aeba8761fd5487d369d54acbccf87eb586ef5a5d378f8d5f2fd53ed06bdff65dfef974a1dc48fd904b4c4dde79fc10170c00502bc9bc8776a514ac2c2c577dfe7d50e312076e4e4c4dde7df2c8d9eb57ae84df4c4c4d4ecfca9409321b2b2b4f17f7164d9a766dd1b66ffbcec6720d6378e417e44ffee2a3c3e74febb219cff57b4ae3ad004110140ac5c92b17f69e3e7a3e2cf4ee8358f122cfcac2b2411daf56befefd3b74ebd4bc95c6d11a140ac5874b17ead21bdea19f57697c5426372f2f3135596664f4cfce4d3f6bba1fe8eae0b469c1cf5e9a628020088f9293361eda73ecd2d99b511149a9a90a41e16063eb6cefd8cad7bf77db4e5d5bb6353735535d7ec18a65bb4e1c3afc8b86cef1eb0f2bfdd1c4bb5b350c19d263ca73771f68bb7eadefe1b9e9eb9f353e5b95999db5e7f4d143e74e5f090f4b4c49ceccc9b634377773746ee517d0a76de77e1dba4aaf9cc403e6990fdfb8732f5a977ad76f9b0d48e306e417e497d4638891914c6e24d77d749007898fde5cf8d9d9eb57f4d8b65a503555bb0bbdda74fceda32f35ae47a1501cbb7476cb91fde76e5c8d7d18575854646561e9e5ead6a669f3a7baf62aa967ce557bb77db874a12e1ffdd92b6f3f3f78a4c6a47af2ca851b9177b27373ac2c2cae47866f3cb8c7e05550b5a753837fafeb7b7896e9ac682433daf0d5128d3d668bf5bef548f0f9b0ab0f121fe5e6e5999a98d475f368d334f0e95e03db356bae7185ef2dfa62e3a13d157ace29b570aab64801a01633a608c4cbb2b1b3dffef1fd3925750aef64e7307ee0f0f103872b2f686482acd40be2f4accc57bffce8e4950b3a6ec6ea7ddb6532d9dc57df3196cbd583bb4cd639a875e7a0d6e27f0b8b8a6432a1d41ee40b0a0b3ff9f57b1d2f5fce5ebfac31109a999ad67171132734bef16172e2d88fdf5e33ef077131352e0e8e53468e9d3272ac782152a45068bc3615855cbff2cbc655f5dc3d2af900b8fb2076f487d3fe9dfbbdbb938bf4c782a77b0e78bae70065c96bd97ee5da9efff47d5d6ea15467e5ec6857595c2b776f59b8f2b7f4accc27b66aaa76170e9e3bf5fa824f7e7a7f8eb442653259b796ed942d4275f9f43fb76ff8fc8f9f74fce8dd278f680c844632a32e416dba04b551264c2d81506f557b3aad72458aa2d7167cb2eaf3efa58f73eb51efabf66e33601a0400543734192dce8439d92fcf9f357ff992dcbcbcd24b4d66546a1abc78f3daa0b727e99e06957f77c77ff26ea9ed91e44646a55ebec427258cffe4dd557bb7e9f8d17fedd8a471100e5d44c7dd1ffafe2b1adb8eaa5d8868b9f248c9487be7fb797a6f4339ddb917fdd47b93a5dd424a4b5efb0287cf9f1ef9c1d49a9e06cbafa0b070d3a1bdfddf787eceb2457aa7c15a533555bb0b7b4e1d7d6ef6dbba9c55b4bc9a9b97377ff992b9bfffa87da80955a7432f9e09bd54850761159e4eab83b8c447a367bd516a4f30a5ff0ab06dfdec9fbfe322010008844f048542f1db96b5bd5e1fbff9f0bef20cb8149f94f0e1d2854f7ff07a4cfc033dde7e3af462efd7272cdfb141fb63875ae4e5e7ffb56363efd7279469dcedeb91b767fcf4b52e7958a38494e4311fbef1e55f3f4b9f45d4c5e1f3a707bcf962ecc3b82a3c001e25273d37fbad39cb16a56566e8f1f6d88771af7e39fb85b9339252539ed82f5191a2e8f2edb0f9cb97747a69d4bb8be61baae3965a503555bb0be76e5c1df0e60b6bf6efd03dcea93a7ef95cff379fff6dcbdab2bef1adef3ebf57a55feaaa3a9d561389a9c9c3a74f59b47ab97ebb1f7e2f6ae2a7efcffde3a7aafa9d0e0050396832aae1c2eb9defe77db3f2b767fb0e19d2a5a7eec32728148af361a1eb82776d39b24fef8b0f514656e667bffdf8f3867f270e1e31ac5b5fe9d0de2589897fb0ed68f0df3b373d4cd667c0a80d07769fba7af1b97e433a376fddc0b3aeb585952008b9f979d939390f9313340e6ba6aab0a8e8d7cdabd705ef9c34f49951bd077a481ac8692cb46397ceaed8bd45b5a7f8c2a2a272de53d25b6151d1df3b376d3ab477fcc0e1cff61be2edeea9cb2e9cb97669d5deed7b4e1d2967bdd7a09f4e0a8b0a73f3f3b37372d2b332125353ee3d8c0b8f890abb7b27e4fa65fd024ff5ac9a456b964b67a6a4a7d7c4a32b393d6de6e205bf6f593b79f8b343baf4d4a5ffe4dcbcbcdda78eacdab33544afe73f0541884b7c34e8ed49d3c74f1ed96b8095b945951cae55753aad26f2f2f317ad59bee9f0de8983468cecd15fc75128cfddb8bae1c0ee0d077733183d003c09e854a61475dd3cdaf907f9fb3469e455cfc3d9d5c9cec1cadcc2c4c4b8a8a8283b37372125f9fea3f89bd191976f5d3f71e57c424a858c73ddac41e3b6cd029b37f6f376f7f47475b7b5b4323335130421372f372d2b33f6615c545cec95db6167af5fad3ee34419c98c5a370d68efdfa279235f6f0f2f3727274b330b2323a38cecccb48c8cc4d4e46b11b72fddbe71eaeac5aabd2ba85d40c3261d035bb668d2ac411d2f7727572b730bb95c9e9e95999a919e989a1c7ae7d685b0d0b337aede7f14cf3785aaa941bb60666ada25a84ddb66cdfd7d9ad473f770b6733033352b2c2c4ccd4c4fcd488f4b7874e9f68d8b37af9dbb71d550f1dec2cc3cb0916fe3baf56dadac8de5f2bcfcfcdcfcbce4b4d4b8a48488d8e847c9499556ec35f1746a2826c6261d02825afafa07356eeaede1696765636b652d971ba565666664653e4c4ebc1e197e2de2d6c92b17f46bde0200201002000000006a129e210400000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000100801000000000442000000000081100000000040200400000000543c638a407477eb512daffeb563e3a7bffd50411ffd54d7de3fbd3f47cb02f58775a38200000000181c77087532b8734f23594595d5902e3d29610000000004c26acac5c1b19d7f5045acd9cadca247ab0e9430000000000261f5f554d75e15b1da3eed3a9b999a52bc000000000884d5d7c08edde546862fae215d7b53b6000000000884d59aa39d7dc7c056865da7b5a555f796ed285b0000000004c2ea252a2e566dce1043b71aedd7be8ba98989ea9cab776e52f2000000000884552c38e484da9cfe1dba19cbe506fc88c19dd5fb17dd7bea18250f000000804058c5f69f510f840e36b69d83da186afdb656d6dd5ab6559bb9e7d4114a1e0000000081b08a9dbd7e39292d556de6535d0cd66ab45f87ae26c6ff692f1a111b1d7e2f8a92070000004020ac6285454507ce9e2835c5e96d88a4bde89e534729760000000095c69822d062f7c923a37b0f529d23b6f33c70f66439d76c676dd3a5857aebd35d270fd78e726b5cb77e9ba681adfd029a7837b0b7b6b5b7b1b5b2b0cccec94ecfce4acbc8b8131b75f36ec4a5db374e5c3e5f505850d11b13d8d0b76db3c0d64d03eb7b78d95bdbd859dbe41716a6a4a7a565a6df8c8a381f167afaea2569074206d4ac41e3de6d3b06346ce2e359cfd6cadadac232afa0202d33fdcebde82bb7c3769d3c7c2b3a52fb1a643259a7e6ad3a05b6f2f7695ccfbd8e8da5b5a58545764e4e4a465a646cccd91b5782434e46c446d7be1aec18d87278f77eadfcfcdd1c9df30bf2efdc8bfe76d51f67422f716a020000301499f7d0ae9482200877b7aadf9dab3fac9b89b1c9c515dbac2dad54e76f3ebcef9defe795f3e3c6f41dfcf5b40f54e744c7ddeff6eab3256d89ea7f5bfafa6f5ef0b3749ddd5f7daefcc1a67350eb7fe77eaf3633f2febd9e53c796fa5e531393a7baf47e7ec8c8e68dfc74f9ac948cb45d270e2fd9b032f6615cf9eb4b10841e539ebbfbe0710958995b8cea3d70fcc0e18debd62f756dc72e9d5bbe7dfdc173a70cbb19ed035acc9ef47a60435fed2b397bfdcabc3f175fbe1da6310a8ee933f8cd31cfd77171d3b206854271e4c299af572cbb11195e9edaaf3e35d8a45e83afa7cd68e9ebafb6c0a235cb17ad5ecef90a0000c0506832aa4d7e417eb0e46660bff65dcc4c4dcbb9e6219dd59f45d4fdf6e0c59bd7343e6a38b84bcff2efb2b4e3534110d61fd855ea1bdb340ddcbff89f6fdffe50c72c210882bdb5edd8fe430f2e59f9ced8497223431e8abddb760a5eb2e2b357ded6250d0a82d0b5459b3f3ffefa9799f31c6c6c0db50dcf0f1eb966de0fa5a6414110da366bbee59b5fa78d9e284d83cb66cdff6ada0ced69505cb247eb0edb16fefaf2b0317a6f70f5a9414b73f3df3ffa529a060100004020ac6c3b8f1f549b636561d9bd55fbf2acd3c1c6b66373f531ee7797a5bde8c6837b3484cc720742b991d1808eddd5661616156d3ab457fb1bdf1bf7f2ba2f7ff276f7d4e343cd4c4ddf1af3c2921973d58664d4db1bcf4cfc63f6571eceae657de3808edd76ffb0bcbe8767f9b7c1d9de61c684576432998ecbcb64b2f7c7bf3c67f29baa335f1cf274dff65d74ff50136393d9935e7ffbb917f5d8e06a5583339f9f5acfbd0e271f0000000261d53b723124232b536d6639fb1a1dd8a987da7886f71ec6696c31a82510161615a9cd6cd6a071833a75cbb3619d9ab772b4b5539b79ec62485ce2232def9af5c2d4379e996824d3762c15298a4a0d635fbd3ea3fcf5e5eee4f2fae809e579fbbf73bff7707229e766bc37ee652b0bcbb2beebc521a3c60d18264efb78d69b31f1553d3efaed675f1cdebd6f99de52ad6ab06360cb09038773e6010000a81c742a538abcfcfcfd212746f4e8a73ab377dbce1666e6d9b939faad53da2c7387e43ea4760f93138f5e0ce9d9ba83dafc215d7afeb4ee1fbd7776b0a6a0bbfec06e2d6f993c7cccab239e93cecfccc95e17bcf3c88590d03b3753d2d30a8b8a2ccd2d7cead46ddb2c7074ef414d1b3492be6564cffe7b4f1fdb7bba5c5dadbe3b7692b9a999ea9cc3e74f6f3d1a7cf1e6b5b8c40485a0b0b3b26954d7bb7d408b317d06bb6b0a7e9eaeee0bdffa70dc27efe8bd0dbede0d9fe933589c2e282cd876f4c0dae09d11b1d129e9e9f63636cd1a34eedfa1ebc89efdd5b653f4e10b530f9c3d999092f4fd3bb3950b64e5e4ac0ddeb1f54870745c6c664eb6a38d5d6063bfa7baf492feb220faf495b78e5f3e979092accbd656ab1ab434b75cf0c64cd53bab99d959c1674f1ebd1072f5cecdc4d49464c94830000000280f3a95794c4b572e7dda76fe7df6976aafbebe60cece1387f4f820473bfbb37f6d517be0eaa977275fbd73b3d42d514b954b667ca636f3665464ff379fd7f3b701b9fcecdf5bd51ea24bc9486bfbfc88fc827c8d6fa9ebe6b17ff13fd26073f0dca9f716cd4f4e4fd37cccc96413078df8e4e537a54f9ddd8eb9db77da44fdea4b1084c9f367fd326bbe72b577ee45bfffe397176f5e2b617f8da73d33e1cd31cf6bbc33f6d6b773b71e0dd66f3322efc788b76a93d3d35e9c3be3d2adebd265ea7b78fe32739e5ffd86d2977edfba36233bebed671fb7fc8c8ebb3f61ce7b1abb0b0a6adcf49759f334decf5cbcfe9f852b7f2f75fbab5b0d1ebb78b66bcbb6e2747e41fedf3b372d59bfa2a4cd00000040f9d164b474472e86a46566a8e7317d1fd81bd4a987da6574545cac320dea6e7fc8f1940cf50b655fef068dbcbcf5dbb04ecd5b4bbb54d972787f49695010843993df946689fd678ebf346fa6968b788542f1f7ce4d9ffdf683f42571b403bd6b6afa845794657b3af4e2b0e9af969406054128282c58b47af9874b166a7c75ead3e3f4de0c310de617e48ffdf86d8d69501084bb0f62c7cf7957635bdce7fa0f557630939c9e366ae6eb25751e7bf9f68d8973decbcad170a7fab97e4f69bc7958cd6b50990693d3d3c67df2eebc3f9790060100000884552cbf207fdfe9636a337bb5e968656ea1c7daa45dbfec3876508ff5e4e5e76f3b7a40d3faf57cbe51639f34eb824bec5fd4cbd5bd779b4e6a33935253de59345fa15094fa712b766fd13846429f769df5aea926f51a88136177efbcf4f94ce9c39f526bf6efd87e4c4331fad56fa8f1f69dee966efc57fb20100929c90b562c93ceb732b75066b9cffff8e96172a29695dc8eb9bb6cf36ae97c273b87660d1a6bdfc26a5883a2ccecac51335f0bb97699930f00000081b05ad826c90ce6a666bdcb7ee1eb6cefd0ce3f486de6f6e307f5dbaaf59ad2da90aefa044263b971bf0eea8d87af47debe1e79bba4b70cebde57da8be6b22d6b748961822028148acd47f649e7fbfb34296765e5e6e54dfdfa93cc9c6c1d97ff6ed51f1af34faf361df5de86f4accc5f36ae2afdb83a7a407a9b5729fc5e54a9fdbb0a82b072cf16690f438220b4691aa0fd8dd5b606672ef9e6cebd684e3b00000004c2eae2e495f349a929ead1ab73995b8d0eead443ed89b5db3177c3eeded16fabaedeb9191615a136b39197b7af7783b2aeaa4b8b36f6d6b692c0a9ad3b997eed353c7daacb73774a576e6b6828abc7c64b234de4fd18dd978fbc7f2f34e29674bef27ea33ebf201c0dd6a5cfa182c282e397ce95f4eadafd3b74f9ac8494e4abe11abaa82db5cbd9ea5983c72e9dd378cf1600000004c22a53505828ed42a647eb0ed69656655acf90aebda5c9a13c1bb6415317a043baf42eeb7aa4e136bf207f8ba6fb3f22994c261df3fdcebde807090f75ffd098870fa4331d6dedcb5320d9b9397f6e5b57d677694c653a0e6aafd1d623fb755cf25ac4ed9253a5aeb9e8baa6a69bae8e4e5ade526d6b508fea0300000081b0c2495b8d9a9a98f42bcbb8e1ae0e4ed2567ce5bc19b2f9f0be82c24249202cdbad4b63b9b17400f4fd2127b4f4e7e1eee462696eae363322b66ccdfc34364d3496cbf57b3853b4e7d4513dba2189bc7f4f43b0b1d333d8e417e45f0ed77554c992c6788c8ebb1f9f94509e95486ff956ff1a8c4f4a387ce10c671b0000804ac33884ba3a77e3eafd47f1755cdcfe1bbd7ae9f294976870e79e6aed45af8487dd7d105b9ead4a4c4d3e74fe74dfff3ecdd8a04edd660d1a6b79fc4f4db7966dedac6dd4666ae94e461084bcfcfc8f7efe566de6ede8c8326d7c498d2a2dcccd757f0250cdae9387f578d7fd47f11a36c3cc4cbf6d08bd732b372f4fc785534a88afe7c34275ffc4d48c748dc558e36af07c58a82efdd9000000804058d9140ac5d6a3c16aa311746dd1c6d6ca5a3a2885e64028b971a77b9b402dd61fd8d557d2bdcd902e3d750f84d20d8b4f4a387631447b10fd77cfd6726e79a1e4dea6c844aee76159585474faea453dde98919d259d696662aadf66dc28cb43a1999a3e5a1084323d59aa317d691cf8be9ad7a0966142000000501168325a06d2fe364c8c4dfa77e8a6cb7b3d9c5c5afbfda7bd6891a2c8209d671c3c7b4adae18deec3249a189b483b17d978708fc68e2b0daba48f303131d16f85b763eea6ebd643a69a9cbc5ce94c5dc6f1d3e8fea3323c86979d9bab717eaca69b96256ebfa63b757a6f7f15d6e05d4d6d770100004020ac16c2eedeb919a5dea6ee29dd867918d4b9a75a17ff21d72eebfe9098160585055b245d9878bb7b0636f4d5e5eddd5bb6b391748db3fec0ee8a2840994c662c37b63033b7b1b4b2b5b2b6b5b2d67c504ac642d0bd82f40c369aee741919e919a8cad42f4b7e41be215662c8edafc21ad4d8f615000000158726a365b3f5e8fe19135e519dd3a9796b071bdb523b329176f4b2f548b0a1b66add815d93868e569b39b84bcfab776e96fa5ee9bdc47337ae9669d8062913639380864d7ceb356854d7dbcbd5c3c3d9c5d9cec1c6cadadad252ed294ac38a8cd573b30b3406427d534d99727e7e6141f95752a06925fa6e7e55d6a08eadaf0100004020acaa40183c7dfc64d57b7dc672f9808edd57efdbaee55d755cdc5a3469a67605af5ff7271a85ddbd732de2b6bf4fe3ff46d05e5ffdfd8bf6379a9a98489f3fd4de9d8c169eaeee033b76efdbae738b26cdcc4c4d2bbf766213e2f57ba34251a42950e999a874198150e5a34b5a496e595662988e58aabc0635b6dd0500000081b0ba887d18773e2cb44dd340b5e8a53d100ee9a2de5ef4f08533866d1db7fec02e7f9fb754e778b9ba07356e7af9f60d2defeadeaabdda508a5939393b8f1f2ceba7b76dd67cead3e37ab46e5fa1b78f4a9590925c1d0e92dcfc3cdd172e2a2a2cff4acaffc06735a94100000054322efeca4cdab54c87c0964e760e5ade32b8b3fa7386066c2f5abcc2fdd2a7d14a7dbe714817f505769d3854a601031c6ded96ccf86cfd978b7bb5e958e559a29a3c8196939b5b4d5652e36a10000000958c3b8465b6f3f8c1392fbfa9da85a3dcc86860a7ee2b776fd1b87c5d378fa0c67eaa73b2727282434e1876ab92d3d382434e0eecd4fdbf41b4e7fce54b4b6a4f68666adaa76d27b599eb0e94a1bd68b3068dff9ab3c0d5c149cb32058585b18fe2621fc627a7a766e7e4e415e40b8260626c6c696e616b69ddb5655b031642b6bea3171a5641098f0556fe4a6a5c0d020000804058dd25a5a51ebb74b667eb0eaa339fead2aba44028bd0bb73fe478991e33d3d1fa03bbd402a187b36b4bdf6617c2348fedd6a355072b0b4bd5395171b121d72eebf8717ede3e6bbff851da43a9e8ea9d9bbb4f1e3971f9dcf5c83b2575a42908c2ddad470d5802f99512a26a8d6a58830000002010d6005b8fec570b846dfd9bbb3a383d4c4e942e3cb8b3b47fd1fd15b155472e9c79949ce4e2e0f8df38dabba44028edf8747db0aea34d58995bfc3efb2b8d59e27c58e8fce54b4afad00a55d238e9a82935080000804ac62343fad877e65856ce7f6ef119c98c0675ee215dd2dbdd33a06113d539c9e969472f9ead90385454b4e9f05eb599833a75d7d85ba6b9a959afffb6172d52146d3ca86b207cfbb9495eaeeed2f93f6ffc77f4cc696489ea8f1a0400000081504f593939c121c7d5664a9b860a823044d2adcbee93872beef1b0f5921123dc9d5cdafeb74f5451cf361daccc2d54e71cbf74ee41e2235d3ec5ceda66fcc061d2f92b776ff9fa9f5f8b14451c21d51c35080000000261b96c9134fb6ced17e0e1e4a21e08a5ed458f0657dc5685df8b928e333158535295767caafbf083833af5b03033579b999092fcc55f4bcbb4b56a891495861a0400000081b05c8e5e0c494a4b559d2393c906fd37fe35a8e3d5b44123d5390f121fe9de6b8b7ea4b96e50a71e6ac309589899f76ad351754e6a46fabe33c774fc882e2dda48676e3cb447ad196da96cad6d3890aa0435080000000261b9141416ee3e79586da6dab87fd246a4db8f1e2869100843d97eec406ede7fc6347771706ce71fa43aa7579b8e96e6ffb941b4f568705e7ebe8e1fe1e7dd503af3f4d58b65dd543747670ea42a410d0200008040585ed256a32d9a3453eda8634897de6a0b6c3b165cd15b95969921bdd7a7d6a1e86049ffa2eb8277eafe11ee4e1a62c0fd84f8b26e6a2bdf661c4555821a0400000081b0bcceddb81afb304e12bd1edf156ce855cfd7bb81ea4b11b1d1a1776e55c2864907971fd8a9bbdce8715d5b9a9bab8d991176f74e9936cc5cf2f89920087adcf86ce7df82a3a84a50830000002010969742a1d876ec80da4ce5cdb7a7a4b7078f1ea89c0d3b71e9bc5a7fa14e760e1d025b8ad3bdda7452eb50a44cb707054148cfca90ce74b4b52fd34a5c1d9cfab4eba4f1255313538eae0a450d020000804068005b8eec539b13d8d0d7dbdd53d0d42c73ebd1fd95b355458aa24d07f7a8cd54deba547bb2b1a0b040daf655bb849464e9cc96656c3df8ca88678de5c61a5fb23033e3d0aa50d42000000008840670332a322c2a423d7a75ede5ebdda071ddfaaa33af848745debf57691bb64132c47cff0edd8ce5722b738b1eaddbabce0f0e39a9d65d6aa96e47df95ce1cd6bdaf4c26d3710d1d025a4e1a3abaa4573536688401518300000020101ac656c9edb5219d7b4a47f9abb4f6a2a2c8fbf7ceddb8aa3ac7d1d6ae63f356bddb753637fdcfdd9bb2b617150421f8ec09e94c3f6f9f17063fadcbdb831a375dfac15cb59130545910272a18350800000002a1616c3ba63e9244d3068dc60f18a63aa74851b4fdd8814adeb0f592ae659eead26b70e71eaa731e26271eb970a6ac6b3e107232333b4b3affe397a74d1e3e464b4e3096cb270c1ab166fe0f8eb676e2a73f4a4e922e66499ca860d42000000008848611fb304eed5e9c20088e76f6aaff0db976393e29a192376cc7f143d9b9ff1967bc7f876e3d5afda77fd18d07f71416159575cd2919698bd7afd07030c98c3e7af1f57d8bff7e75c4732d7dfd6d2cad64329991ccc8c9cea1959fff3b6327052f59f9f9abef286f1f2d59bf22f27e8c743dae8e4e1c57158a1a04000080c8982228bfad4783db366bae6d8123c195bf5599d959bb4f1e19d9b3bf728e9db58dda32eb0fecd66fe5bf6f5dd7af7d9796befed2971a7979cf7a61aa38ad5028148242e31da707090f57efdbdebc915f3bff20b59718eebc12508300000010b84368103b8f1f2c282c28e9d582c2825d270f57c98649bb9651753e2c3422365abf35e717e43fffd9f46b11b7b52f26de5fd2f8d24febfec9cbcf8f8ebb2f7dc9c3d99583aaa2518300000020101a46727adad18b674b7af5f08533a919e955b261a7ae5ebcf730aea457d707ef2acfcad332339ef9f08d35fb77e8f1de43e74faf0bde250842ccc3071ae284930b075525a006010000409351c3d872647faf361d35be5425ed45450a8562c3c1dd6f3ffba2f4a5ecdc9cedc70f9673fd99d95933172fd8763478eac8715d5ab42975d08282c2c253572ffeba69d5f1cbe7c43991f7efa56765aa2d666561c9115539a841000080279ccc7b68574aa116abebe671f4d735d20bfd8d87f6bcb7e80b037e50833a5edd5bb56fd334d0d7dbc7c1c6ceceda5aa11032b2b332b232ef3d8c0b8b8ab81671ebd0b953651df31095861a0400002010a2165a33ff870e012dd5663efbd15ba7432f5238000000c0938c67086bbf231742d4e644c7dd3f73ed122503000000100851cb756fd54e6dcebae05d0a858292010000000884a8cd1a7ad56befdf42754e6e5edeaa7ddb28190000000004c25aeea5a1cfa8f528b3f5e8fea4d4144a060000000081b0366b50a7ee337d06a9ce295214fdb16d1d2503000000804058abab5666346fcabbc6f2ff0c35b9f9d0be9b5191140e0000000002616d367dc2e4ce41ad55e7e4e4e52e5cf91b250300000040644c11d43e1666e61fbdf8daf881c3d5e67fb7ea8f07898f281f0000000004c2da528572e382c20241102ccdcd1bd7addfbd55fbe7fa0ff57072515bece4950bbf6d594b71010000002010d61ee19b0e1614160a82602c9797b44c74dcfdb7bffb9cb1070100000010086b5d2d961c050541884b7c34ee93771e262752500000000054d1a94c2d1772fdcaf0e95362e21f501400000000d47087b0d68a4b7cb46cf3eabf776e2a2c2aa2340000000010086ba18494645b2b6b1363e3c2a2a294f4b48494a40b37af1dbf746e7fc889fc827cca07000000404964de43bb520a00000000f004e2194200000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000d59631450000a83eac2daddaf937afe3eaa6502852d2d342c36f453d88a5580000201002a82e4efdbd419cb8723becd579b39fa84fa7822ad4f8c1c3270d1b6d6166a69cf3c79675bf6f5e576985c3d1c5410e000442d44826c6c6033a77170461cf8923f905056c3c801a67d2f0d193478ca11c3897d662f53cea34addfd0ded6cedcd4343d33f341c2c32bb7c332b3b3755f834c26f3abef53d7bd8eb3bd8320080929c93171f7c3ee4628148a4ade120004c2da40f9fba2d2b333dfd2bd6d52bb80a01fa67fac3aa70a7fa79c3bf59d1e6dda0b82d021a0c5474bbead591551a3371e8041b83939bf387494f2bf3722ef5cbe75c3582ebf13134de1702eade94c4d4c46f6ea3fa6df60776717b5978a8a8a0e9f3bf3dbe6b577efdf2b35f08f1f347c588f3e6e4ece6a2fc527266c3d1cbc72d796527f0830c896a8a9e3e2fadc80a7da07b6f070763596cbb9670b10086bb6eeaddbffb36393ce0bb7ab3e5bde3eb08538d1b179cb1a57ec357ae30118449f769d8ce572717ae7b143f3ff585ad63b1ee05c5a3dd575f3f8e28df71bd5f5d6f8aa919151af761d3bb568f5f9b2c507cf9e2a69259eaeee0bde9ae1e3554fe3ab6e4eceaf3cfd6c9ff69d66fcb020f6615c856e895abc7cfea9a7270c1e6e62ccf5244020ac2d7ab4d13510ca64b26eadda56e6b6697f5e2224f452f7d6ed0541381d7aa91a166c8dde78a0ac8734f4d0d8bb81727acdde1da4413dd4a67369adf98ab938382e9ef9a9aba39320080a85e2e885900321a7621fc619c98c1a78d51dd6bd8f7fc3c68220989b9a7d3ae5ad8494e42bb7c3a42bb1b7b1fd61fa6c4f5777f1bfe131519b0eee8d8c8d5128143e5ef546f6ea2f663c1faf7a3f4c9ffdf2dc0f53d2d32a684bfef3034440d0f4e7272bb70a0081b0664b494fb7b7b11104a16983866e8ecef14909a5bec5dfa7b1b3bda32008092949e244d5fa78e9a2415dba2b148add278ed6b8f2afd11b0fc020ecad6d94d35a6e71807369cdf2c92b6f88192c2f3fffc3c50b4f5c3aaf7c29f4cead1d470fbef5dcf363fa0f1104c1c4d878d6a429e33e7ab7a8a8486d25b35f7e5d99bb361ed8fbddca3f94cb5cbe15b6f570f07b135e1ad9abbf20089eaeee1fbdf4daf4455f55d096889ced1dde1afb429ff69da5d751006a22c621140441888e8b7d90f0509cd6b121a872b113972e54875dc82fc8df7a3878db9103f905f935aefc6bf4c6033008335353e5746e5e1e05c2b9b416681fd8a24db340717ac9da15aa194ca450287e5cfdf7b53bb7c5ffd6afe3d53150bdb96f0bdfa69d5bb416a7cfdf08fd76c5ef6a39ada8a868e13fbf5f08bb26feb74bcb36414dfc2a624b441d9bb75cf3d58fca34a85028b61d3930e68337a86e804058e329735df736ed7559bedbff03e1794a0f00cafbd7c8e8ff7f8f8a682f8a5a6170979ee244424ad2a6837b352e53a450acdeb35df9df7681416a0b8c1b384c39fdfdca3f35b6a6562814dfadf843f9dff1838657c49688fc1b36b6b2b010a76f47df7d65de475ffef9735a6606d50dd45c34197decf8c5b3a3fa0c1004a14593a6f6363629e9e95a16f6f1ac5bcfbd8e2008b9797921d72e97e9833c5ddc7c1bf838d8d85a5b5a65646526a7a7dd8c8c887d145f530acadbc3b36983868e76f6a6262699d9d9f71fc5dfbc1b9190925c691b60c002b4b6b00c6cecebe5e661656191959d1dfb30fe6af84d1dffaa39dad907346ceceee462696191959d1d9794101a7e2b2935a59a146f79764db983818d7c9deded6dacac33b3b3a31fc45e8b08cfc8caacb6b569696e11d0a8493d770f2b0bcbac9c9cc494e4cbb76e24ea562315549b06acd6865ef59a783770b4b5931919a5a4a7dd8a8a0c8f892aa935575935aaebdda8aeb7a39dbd4c1092d2526f47df0d8f89d2fd38a9d0a2abe6a7d39a7e3e37c8b9a271bdfa8dea7a8b07674272d2f5c8f0e807f76beeee94e7eba0462693750a6a254e1f3e1752505858d292976fdd504ed77176557dc9c2ccac5d4050f1626177ee95d8e9ee9d7bd1576e87356fec270842bb80200b33b3ecdc5c036e899aec9c9cdf36af5db77f5761c96b034020ac612e845dcbccceb6b2b0303232ead2b2ed8ea307b52c2c3eb52f08c299d0cb3a366d32313619dd77e0889efdbcdc343c7e7d2f3e6ef3a17debf7ef96b6f3918e8dd1bcb19f7266c7e71ff7d2feebec79e29f018d3373f3f206bdf152564e29e30b4d1a366af2c86705415028144fbfffbab219ad6850971e13060faf5fc74bed5d0a85e242d8b59fd7ffab6c6a62908d375401aa6d89d83f81b3bde3d4d163fb76e86c626ca2ba587e4141f099133fadf927392db5c49f03bceabdf6ccb88ecd5b19c9646ae570f2f28525eb5644c6ded3e308d4a3780dbe6be27543f7d6ed260e19e157bfa1ecbf3b58505878f2d2f925eb5646c795f76aaf9cb5a97e096869f5dae87103bb74373735532bbacbb7c296ac5b111a7ecb50b5a9e3215dfe6a7d7c8296cb47f4ea3f76c053d20ee2135353d6efdfb57acff6bcfc7c7d6bc178549f8163fa0dd6d0857d52c2dfdb376d3d1cac25731af08b202d55d539d25235ecf1536907f09f9f7eddb44143717ad4f469253d27f9eef849a3fb0e525e73f77bedf9922edf3f7fed1db1d95e766eeec0692fe6e6e5693f971af65c616a6232baefa067fa0e121f4b5315111bf3ebc6d547cf87e8726ed7efaf8694aba3d3945163fbb4efa4dfee94f3eba0919b93b3f24edab53bb7b42ca9da078c85b9b9ea4bed025a989a3cdea393974b699174f2f205b1c04d4d4cda05b43872fe8c01b744e53b2e1c3c7b6ad1bfcb1f252771f508d40e3419fdffdf8c93971fb71aed515aab51e50384472f84e8b2721faf7a6bbefae18d67276abc7a1004c1cbcdfd8d6727aef9ea071fcfba06dca9edc5b1d6ccd4549767237b173f1270fe46a86a1a343136fefacd191f4f9e26bdae152344eba601bf7e34af6f872e15543b862d403747e7d55f2d1ad4a587da7583b8a7033b775f31ef5bf10eb054af761dff9efb4de7a0d66a17c16239746ed1faafcfbee956c6f1480c58bce5d93541101cedec97ccfceccb37a6376dd04826d94163b9bc5beb764b667d666b655d7d6ad3c2cceccf4fbf1ad1ab9f5a1a148bae856fd365b3e79734d67945d4a601abd5d3c5ed9fcfbf7d77fc24691a1404c1c9ce7ecaa8b1cb3ffddad3c54d8fcdf372735f39efbb379f7b5e7af92b1e48339e7fe5a70fe6282f222bb3e8aae7e9b4fc1b70f8dc19e574fb80a092d6dfbaf8412ff18a3ca091afe63fde32595bffe6e2f4e9ab17cbfad46539cf153e9e75577db968da9809d23428befad51bd35b370da8b4bfe0eece2eabbf5c34b07377fd76a79c5f879238d8d885dd8d10ffdd8ebeab65491b9593aa5a07a1bef5ffdffbeea59b37b47fe2a59bd795d34d54baed35c89628adddb7f3a3c5df920681da843b84ff77e4fc99be1d3a0b82d0cebfb9a5b94549f7d3dc9c9c7debfb088250585878ecc2d95257eb57dfe7c719736cacacc4ffde8b8fdb75fcf0b588dba919e976d636fe3e8d0775e9215e58d47171fde5a3796f2ef82cec6e84f2ed87ce9d16277ab6e9204ea466a42b9f1dd7ee40c8c977c74d127fe4ebd7b1cbee1347b42cdcd0ab9ef2f245ed06e9c793a729afed6e44866f3ab0372236c6c8c8c8d3c56d70d79ee245895c2efff0a5a9a1e1b75493647936de5005283579e4186b0b4b8542117ce644f09913f1498956e6162d7c9b8eea33d0c1d64ebcd4fee6ed99e367bfa7f6037ffd3a5e9f4d795b1c2a2dbf207fddfedde7ae5d4dcfcaf074757faa5b2ff1797d53139379afbdf3d267b3b4ffd13548f11a70d7c4f8b1f4c3b9cacbbb98f807bb8e1fbe76e7765a6686bd8d6d8b264d9feadedbc9ceded9de61faf393f5fe9619bc36a73d3bb1ae9b872008e7ae5fdd7ffa78d483d882c2424f57f7beed3b7769d946cc2793868f2e5228fed8b2aefcb5a9fb215dce6af5f1aab764e6a7f636b6ca2bfe7da78e473d8835921935ac5b6f588f3e4d1b341217fb69e69cc9733f4c2c4b2bcd865ef51617afbca0b070ffe9e3c72f9d7bf0e891dcc8c8bb8e67ff8e5dc5cd6be5e7fffd7bb3a77ef9895a9330837f11c4526de5e76f57dcd1a8b29c2bfaf8a9cc03f8f0b9d353478f7d1c08035b687c8ecbc9ce5e2d46b60b68ae7a95afd4d4a791b2b854a3a68eca73ae0868d864d1f48f95e9e8f2adb0dd270e47c6de2b2c2af4f6f0ecd7a14bfbc01632996cd64b5333b3b2caba61fafdd598326aaca5b9459142b1f7e4d1c3e74ec727255a5b5806f9361ddd6790d8f5a596dd29e7d7418b1b91e12fce99a1cb92cafba88220dcfcef11ebede1a99c8ebc1fa37d3d77efc7feff7baaf246836c8992c19f1d004020ac464e5eb990979f6f6a6262626cd229a855f099131a17eb51dc5ef4e2cdeba53e9960696e316fda7bcaab87d57bb6ffbcfedffc8202e50221a19757eeda3275f4b8e7063c2508828d95d5bc69ef4d98fd5e764e8eb8c0873f2d1427946d66a21ec42a676a979d9373e0eca9215d7b0a82d0b659737b1bdb927ef013044179a722233bebf0f9ff5f5eb4f56fae7c69dfa9639f2dfb49d96c2634fcd6de53c7de9bf0b2f8f8a5b9a9d9885efd96ae5ba97c6f7936de5005a8a68e8b5b4023dffc82fc993f7ea3bc272c08c285b06b5b0f072ffbf88b3a2eae8220d4f3a833b84b8f2d87f7abbe77e29011ca81b33ffde547e5b8bdd7eedcde77ead8d4d1e3260e1921088289b1c9bbe3274dfde2135d76b03cc56bc05db330375ff0f607ca34b862e796df36ad512de733572ffdbd7dd35be35e18dea3af6a57e36562f0da6c50a76e6023df9cbcdcb9bffea41a21c41ae9d5aee3dc296fcbe5724110260d1f7d26f4926adb51fd6a53c743ba9cd56a6d61f9d59bd3c52bd4fc82fc4f7ffdf160c8ff07890ebd736bdb910353468d15b7d0c3d975c6f3af7cf0e302dd6be1cbe295df8b8ffbe0c705112a4f2585deb9b5f3d8a1a7baf79ef5e214994c16d8d8f7f92123fedcbaa142bf086201aa362fd4789630f8f153c9077074dcfd88d81831efb56916602c974bdb822a6f0fc627268877abdafa375fb6718d74639463d0e717149cb874ae4c3b529e738583addd176fbc2fa6c1a2a2a26ffef96dcba1fdaa5fbd5dc70f776dd9f6d3296fea77ef5a8fbf1a75dd3c021bf9e6e6e5bdfffd97e7ae5f55ce3f7f2374c7d1837fcf5d2866428dbb53feaf83418ce8d9f7ffbf4dffb7e591f2c666564e767a6629492c35233d3b37d7c2cc4cdc5fc36e09805a8c26a3ff894f678a07f3d5d2c052f900e1a1b3a74b5de72b23c728ff286e08def3e3eabf55af1e947fce7f5cfdf786e03de27f3d5ddc5e1df9aca1766ac7d103e2845c2eefddaea39625fbb4ef244eec3f755cb5f5d1f01e7d95e5b350d2dbb52008bf6f5eabecf4ac959fbf612bc5e005e86cef6024932dfce777d5cb2051626acae235fffc3ff94b5a0e2b5b4025a4242b2f82957eddb8faeefdc70f4db5f06da6fab3ae16062cdef2ecdaa4a1a37cbcea89d3ffecd8b474dd4a6939e7e4e57ebdfcd775fb77559fdab4b1b292c9641f2ffd5ee30da58321a77e58fdf7e3339d4cf6ceb849155d9b86aad6579e7e56bced2908c2e7bf2d564d83228542f1f3fa7f4f143f50d4ad753bb1d9828eb520ae3c2d33e3cd05732334f551b1fdc8810dc1bbc5e9b10387a9b594abd0a2abcea7d3f26f80f2569ea5b985c6b6a06d8b03e16f9bd78a13cd1a34b2b6b0942ea91c12e0ecb52b99d9d965da91f29c2ba68c1aebe2f078e8ddefff5dae9a06958e5d3cfbc10f0b0cd5e951a91c6ced6432d9977ffeac9a06450f931217afd5b63be5ff3a945f97966d94f1fef8c5736a5df2289be8ebd80a20b1b8b72ae52f1786da120004c2278532e3750a6a257d144110047b1b1b71789f228542f5365a4957ab438baf0b1f243c5cb27685968597ac5d1197f0489c1edaa3af1ea7728d2edf0a537601d2af63d792166be6d34839e8edf6ffb6176d557cf177f6fa558d3f4fa666a4c7c43f787cf5e3ea6ec0eaa8a0020c8f89da5e42a741c72f9d575ee129039292a39dbdf23a58fadea2a2a2fd2a77955bfa36d3651f0d5bbcfaed9aad95f5d3bd0788d391b1f77edbb456cb47fcb8fa6fedcd562bb9368f9c3f73fc6289b7473606ef565ee135f369d4cca75185d6a641aad5c1d66e68f73ee2f499ab97f69f3e51d2a7a8de381adca5872e1b66676da3ac85bfb66dd452957f6fdf24368db3b2b0503b755468d155dbd3a94136e0b0ca2f171d8aafbc55890d6ef30b0a0e9c3919111b230882919151ab66ea0fe3595b5a290fe652ff1219f05ce164673fb0733771fa7a44f8c6037b4a5affb9eb57771c3b54697fbb6f44ded97bea98e653c4b933ca1f5fd476c7205f8772727374fee8a5d7943fbafd58fc1b96926571cf2e39c55d866a979bfff8f75c4b330bc36e090002e193e2d885b3e21f424b738b76c5cfebabead2b2ad3858d6955b374aed5abd77bb4e62cb0d41103606efc9c9d37636cfc9cbdd58fc4889859959ef769d0cb5533b8bff2a0736f2d5f8c4bca0d25e34e25ef48dc870e57c63b97cefc9236bf7ed5cbb6fe7ce6325f6bc9a51fca0889585b901aba3820a70f789238a124639cb2fc88f4b7ca4bcfe537b35bdb885b08f675df1311b357f6ddbd8ebd5f1e2bf9dc74bbf183278f1eab76bdd5ab753f626b76effce02ad4fc81416166e3cb0b7fad4e6d6c3c15ad653a4506c56b983d1b565db8aab4d43556bafb61d9443b46f3ab44fcb07dd8a8a8c7af0f891a1a0264d75d9b69e6d3b88b5505858b8ebf8612d4b26a6a68416f780aa760fb3e28aae3a9f4e0db201b7a3ef2a07a5682f09849eaeee62074257c36fe6e4e59ebd76459cdfce5fbd079a7601cdc5bf44454545c7f46ad7a7dfb9a27bebf6ca9f4a3704ef56681d2e72f3c1bd4265d953f213f219d959f78bcb5c6d770cf275280f0b33b3afde9aa17c54f8db157f287f275232377b7c7ed0b13f6165039f92fa08d57b4b0010089f1419d959ca710535f635aa7c80f0a00eed455bf9fdff675d5d1efa3fa4d230cc807f72761d3f2c36dd91c964fd3475692893c97ab57ddc9a54ed37e382c2c245abfe5af4eff245ff2e3f5a720f3aca87ec8de5867c2ab5820af0f4d54b5a56a26c7c6522d997f33742c50953139385efcc5236eafb7ffc282acacec911ff49db924919bc78f5db35d5b23a71e97ca99b7de1c6b56a529b450ac5e55b61a5fcca73f1ff051bd8d8b7e26ad350d5aa2c28854271e17aa8f6cf7a79ee8743de7c79c89b2fbfbd705e996ae1ee83d8d48c74ed0bdf8a7adca5845a7bd48a2bbaea7c3a35d40628dfebebdd4079fd2d52b6170d09bd2c08c2d9d0c781b0ad7fa0daca3b043c0e93176f5ed73e6aae61cf152d7c9beab80641106e45df2d75ac23433913aa6d40e0f4e21f5f4c4af8ae95e7eba037b95c3eeff5f7fc8ad7b62178b7f6f1ae1482a24cebd71ed7cbb325006a1f3a95517730e454e7a0d642f1cd40d5a7202ccccdc5dec6140a852e0f10fa1677fa9c9a91aecb50c5b18fe2d33233c407067cbd7d0cb5470929c9a7ae5e1477aa6f872e2b766e515b20a84953b1379182c2c23d278f6a5f9b9ba3b3771d4f4f5737475b7b73535373337363b9bc8eab9b325b1ab02e2aa2000b0b0ba31fc46abd9a7f7cfd2afe00af6af9d60ddd5ab51387846ae6d368cd573f1cbf743ef8cc8990d0cba55e4ce8a83cc5abf7ae29af6f92525374e949fc41427c35a9cdf8c447a55e71c6272628d7e3a5d238b3126a53bf6a6d54d75bb9e519d9a574d29891559621b7556ac1dec6f68b37ded7beb0f2f13f7b6bdb4afe2254c3d3a9a136e0f0b9d3e3060e15ebbd5d40d03e95868e6d8a839f786ff0c2cd6b058585c672793df73a6e4ecef18909ca25957717f5e85fb43ce78ac6f5ea2bffac681fd64ffc5de06152a2c661570caba0b0f05e09833a9672ea33c4d7413f4632d99c57de500e167fece2d9efff5dae71c99cdc1c6b4b2b4110cc4c4c7559b3b27d818e4d4c75df120004c227c8d10b67f30b0a4c8c8ded6d6c5a3469aadadb75c7e62dc56ba0d0f05b0929a55f37dbdb3efeb391a8e9491b8d125352c40b083b1b1b03eed48ea307c540d8b85efd069e5e6a03468b836d088270fce2b992ba217573747ea6dfa0aeadda4aef06549c8a28c0f8a444ed4d22953f0148d357446cccfbdf7f3977ea3b629f75464646dd5ab5edd6aa6d5151d1d5f05b07434eee3e79a4d45ee02aae78f5de35fbe2ceeb934bee8456559a5efb5811b599a15ba7f60929c9e27a544750acb8da2c67b52a7736bd02fa7657aedcc9ce5ed9ad7fa92cffdbf6ac128aae1a9e4e0db501d7eedc4e484972b6771404a143600b65201487a61404213d33332cf28e2008d93939a1e1b7c49b726dfd9b2b6fdaf878d6157fc253281447f47a8050ef738572a08b14ddce1519651f7642afdd4928d46f770cf175d0834c269b3569aaf2498d4b376f7cbcf4fb92fae0c9ca791c08cdcdcc740a84c5b9312b37dbb05b02a016a3c9a8f40f58a6f2c98deeff6d35aad25ef4942eabb232b7283e2febdae9b9f27687c66ee5f4a69af4d406c296cbe5caf6a21a5b8988c3b86d58b864ecc0a1caebdac2c2c247c949d171f7efdebf179f9850a0f3b84c6552110558ce264c67af5d796ed65b6bf6ee50edc8dec8c828a889df3be3276d5ff4db6bcf8c2fd3931b062c5ebd774d391271b66ee5acdfe54245d4a68e1bacac2c6363e30aad4d8354ab7267959d4318907e2716e996545cd155dbd3a9a13640a1501c3ef7f8a9bf760141ca88d2a8aeb7d882f4fc8dd0a2e2c67e67af6b788cb043f3c7fd8b5e8bb8addfe0e0e53f57687f84f2ffe70a4565448bacececaafd3a94d5f489938774eba5fc81e0bdefbe50edd95bf2035c8632b5eab272e562bafc2853a62d01508b7187508383674f89cd27bab76ef7fdca3fc59926c6c61d8bdb54943468b29acc9c6cf1e7614b335d2f8c2c8baf394a6d2a56260585857b4f1e1dd37f882008fd3a7451ed9cb04db340f12a446c592a7deffb135f1ed9abbff20fccfafdbb8e5c08898c8d517d344875003103aa8802d4f13a468b94f4b41f56fdb56cd39a1eaddb7769d9a67d400b652fe466a6a613060fefdebadddbdfccd3b12b4e0316afdebb56505868626cac7b392b0bb9ca6bd348a6d34f5acabe40d225ed2b0d5b9b06a9d69cbc3c711b742f28dd29577e23327cd2a733abcf17a1fa9f4e0db80147ce9f1147a174b2b36f54d7fb76f45da1b87f51a1b8bda8727af288318220b4f50f94c964e25361ed031e8743fdda8b96e75c915f50200e41a963215854c031ac21a1e99b610cf875d0dd3be3278de8d54f9cbe1179e7ed6f3ed79ecfa3e3ee8bcdc82dcd2d6cacacb4c73c3b6b1be50f31a50e1a51d62d01508b71875083a31742c41fefdd1c9d9b366828ce6cdd3450fc35f17a44b8eab31cda2f98c409e7e2519b4ae56cef204ea4a61bf8519c6dc577ff3c5ddd553bdfef5b3cc8f8ee1347a4777eda050429af6bc363a29ef9e08ddf36afbd151569a88e222abf000dd518263b2767f789231f2dfe76c0eb2fbcfdcde707cf9e52fea85fcfbdce77ef7da81cb95b0bc316afdebb9696f9b8ac5c1c9c74595ebf4efc2ba236ad74fb81dfaeb8eb8ed48c8c8aab4d43556b46714b51b51e470c421989adcc2dabcf17a1469c4e0db80117c2ae291fb6543e0da80c84ca8ecdc43f3762ff2ef636b6622a3033356d513c9287de8150ef7385f2f8712ade35ed541b69571cbdef431afceb50aa69cf4e7ca6ef20713aec6ec49b0be696fa6b4594cad39e0dead4d5be70fd3aff1ff6f3aed6c744f5d8120004c2274b7ae6ff5b8d2afb1aeddee6f150f53ab6171504e15654a4f28fa22e03f479baba2b2fb56f16bfd75022ee45df88bc234e2b8751323136e9defaf17e696c2f3abce7e3319a140ac59c9f1795f4dc88a96e0fbb9755b52ac0921414169e09bdfcd1e26f5ff9fc43e54824f5eb780de8d4add4f7566df12ac5c43d50263de5b8db5a283b96a8f2da747574322aad1f23473b7b651baadbd19115579b86aa56e52d35473b7b836742656f286e4eced26e93d4b83bbb78b9b97bb9b93beb70f56f90a2abce6703036e405151d1b1e2c133c5db7d72b95c1cb0312ee1d1bdf8fff78f52585878212c54f943832008adfcfcc547d96f47df8dd5da934a45887df8f8f8b1b3b6717374d6beb0a5b985f8ac63b555715f078d5e7dfa39b13f2141106ede8d7873c167193a3c277cf3eeff0f1ed55e5e356aa132ece7ad920f7bfdb6040081f0897330e4e4e31cd8babd2008463259b7e211cc0ee91c08553ba4e9d9b6f407d67ba92c73f1e63583ef9432f2f56ed749bc8cee18d4527c5afdcaedff8f5fafcadfa7b1f23a401c255923179d7f322f936a55804dbc1b0435f10b6ae2a73a7481aa6b776e7ffdd7afcaffb6d5348e65b52a5ea52b2a2337742bfe81408b364d03aa496d5a5958342a2d9daa0eff7de9d68d8aab4d4355ebb5e2e1ce044de30da892cbe5dfbefbe14f1fccf9e98339e3060dd365db42c36f891366a6a60db476ff686a62b2eeeb9fd62f58bc7ec1e2f1838757e817a1469c0d0cbb01878bfba90e6ad2d4c2ccccdfa7b1d8d24fb5bda8e8ecb5abaa25a97c8050bff1e8cbe96af84de574e716adb52fdcd2b79961fb9d36b8f27f1d743769f8e817863ead8c6a6f2cf84cc78e9742422f294720ec14544a992b3b0bcdcbcf0f09bd64d82d0140207ce21c296e35eaede159bf8e5740235f473b7b41106ede8db8ff48d747620e9c39a97c54e3e95efdcd4db57511666e6af674ef01e2744e5eee8133274b5a5226e8f92776dfa963e2b316cef60ead9a06082aed45b79730e89072d4e9f4ac123bb7afe75147c787ddcbbaf1155480fa99346cd42f1fcdfbe5a379cb66cff772d37c7f40752c2c471dcac4e0c5ab1fd52bcb91bdfa6b6fe367696e31a84b4f3d3ea5826a73788fbeda8e37994cb99efc82fca3e7430c5e9bd243ba9cd51aa212098674eda565efdaf937ef14d4aa4db3c036cd024b1d034074eaca05e5745f4da3922a7569d9c6a4b80f1ed52c54115f841a713630ec06845cbb2cb6053531366ee517d0a65980b4f68bf3c0e3c26cd1a4a989b189720442bddb8b9687eaa89ec37bf6d59ef786f5ec63900fd5fb4f5e257c1d743461f070f159d0c719eceb3264b0ecdc5ce53110d4c4cfc7ab5e494bfa78d5533e961c127a395bd3b013e5d9120004c2274e7a66e6b9e2eeddbab76ea76c57a9cb78f44a699919db8f1c10a7dd9d5d5e1f3341cbc2af8f99e0e6f4b805ceb62307d224bd5f280799353131d16fa732b2b3947d94f7ebd0c5dcd4ac738b36822064e7e41c08d17cc19459fc508197ab87bc849c3061f008d5ff9a6ada3cfd36deb005584eaabfdc0fefd94fe332aa0fcce8b201862ade72ba1d7d5739d4b8979bbbf2c7638d66bcf08a7ecf1056506d0eedde3ba849893dee8cea3350f9c4ecaee347128b9b3296bf36b51cd2e5acd6b3d7ae286fd7b70b082ae99ead5c2e7fe5e9e7949b57524f576afdee5cbe15a66c4836baef407767178def3235317965e4b3e274424ad2c94be72bf48b5055c78ff64e89d45e35ec06e417149cbcfc388db40f0c6ad3ecf108b7cabf3b4a510f621f26250a8260666adabf53d77a1e75044188897f10712fbaf2ff328686df521e3f8debd51fd6a3c4c8d7ad75bbaec5cd6af453fe3f79a52affd74117cff61ff2da33e39527db37befeacac5f8a7f776f554ebf33ee458d395c2693bd3b7e92f2bf2b776da9882d0140207ce21c0879dc34b4479b0eca40a87b7b51d1af1b572b9f081ad567c0b467279a18abf7ec6a626cfcc6b313c54ee704417890f070d9c6d5d255291b8d78bab819e9db0e477927b067db0e3ddb76107b5f3c70f6946adff16a7ffec5091b2bab67fb0f912e30baefa0215dff73bf48e30fe77a6fbc010bb09cf69c3c9a59dcb9f9987e83952d7354ff1ebf34fc19e57f2f865dd7e5eaca20c55b7e8bfe5d9e5ff0b88e260d1b3da6ff10e93587a5b9c59c57dfecdfb1abde838f57446dcae5f285efccea10d852fad2b01e7dde1efb8238fd2839e9970dab0c589b5a0ee97256ab42a1f85565973f7df52d69ab4b5313934f264ff3abff78b8f37fb66f2ae92b5cd7dd433950b568f1da15e2a5b6a5b9c5f7ef7d54c7c555ed2d5616165fbd3943390cf76f9bd6aa8e9051115f84aa3a7ea485a3fd55c36ec0e1e20cdfa5659b80464d0441088f894ad1d4ffcdb9eb8f5b8d2a63c9a1b2fc3469583facfa4b19d5de1dff92c61f2c7ab5eb3877cadb0a85a23c779f0cf227af54e5fc3a946a549f016f159f856e47df9df6d5a77a64b04b376f9c284ea16d9a05be3bfe25b5023132327a6fc2cbad8b1bf31fbf78eeb2ca830006dc1200b515c34e94e8e8f9900f5e78d5582e575e7585c744c5c43f28d34a32b3b3672ff9ee87199f883d948e1b38b45babb63b8f1dba1e119e9699616b65eddfb0f1e02e3d952daf32b232672ff92e53d3a84af14909f5dceb88579953478fdb73f2687e6141a9fd4aab397f23f441c2430f67576b4bab379e9d28cedc71f44049cbafddb7b34bcb36e2f4b431139a366878e0ccc9fb090fe54646de1e9e83baf468d32c30253dfd6a7898f2c7601b4b2be99f19bd37de8005584e99d9d98b562dffe8a5d704413096cbbf7967d6be53c78e9c3ff320e1918599797d0fcf613dfb2a0f95f8c484dd270e97ba4e43156ff985c7447dffeff219cfbf225ed0bf3df6857e1dbaec3c76282236263b37c7c9cebe959fffe0ae3dc53e4ebef8f3e7afdf9ca15f191ab6366f47dfb5b6b4f47076fdfefd8f4e5ebe107ce644d48358b95cdea08ed7c0ce3d941d3064e564cffae91bd5ce5dca5f9b5a0ee9f257ebc190539b9bee137b84b73033fb61fac7c1674e1c08391597f8487cde6c44af7eca7e4d4e5fbdb87acf76b5cd13cb5310043b6b9b3fe77c15111bf3f1d2efc597ce5ebbb27ceb8649c3470b8250bf8ed7aa2f166d3f7ae0f4954b09a9c956e616414d9a8eecdd4f1c365d1084fda78f6f3b72a0a2bf08957cfc68291cedaf1af6003e75e5426e5e9e99a9a987f3e31012a2d2d4565548e8e5415d7a082acf9d56497b51d185b06b2b766e99386484987ebf7e73c6d10b6783cf1c8f7d182f97cbebd7f1ead7a18bd863ea86e03d4dbcebeb3d229141fee495aa9c5f07ed86f5e8f3eef897540fad9993a694faaebbf7efa90e0d259affc7d2df3e9e2f7eeb47f51910d4c46fd3c1bd11f7626432a18167dd91bdfa2bfbfa8a7d1837ff8fa515b7250008844f96b4cc8cf3d7afb657e991a2acb70745d723c2a7cefff89bb7678acd51eaba794c193556e39271098fa62ffa2a3c26aa84ab878be25f474110c60f1e3e7ef0f0b0bb112fce29db75b942a1d879ecf0cb239e118a9f748a8ebb2ffd2951e9dcf5abcbb76d7871e828f1bfbddb75eaddae93da322b776db1b1b4525edaba383a29bb6e33c8c61baa00cb6fc7d1830e36b653468f3392c98c64b2019dba69ec41f16152e2fbdf7fa94b283554f11ac4e683fbf20b0a663cff8a78d3a3994f23d5e1495417533e8957855f0751766ece92b52b164dff5810844e41ada477ab0441887d143fe3fbafa49dbb94b336b51cd206a9d66ffef92d2b275bec2a462693f5edd045e3334ec1674ecc5db65839d283d2c9cb1794bbe3e355cfc7ab9e6ae6f96df3daacdc9cd79e196f249399999a8eea3370549f81d273c586e0dd8b56fd55095f844a3e7eb4178ef6570d780067e7e69e09bddcad555bd570a239b414df215426a51b91e155f8c7f1e7f5ffca64b209c57dab746bd556752f4431f10f96ae7bfcddd48f41fee4e9a29c5f072d3e78e155d5a616ad75eb8eebca6d0d7f9193d352df5e38efeb376788cf1036ae57ff83175e952e16712f7ac60f0ba43d1b1b704b0010089f3807ce9e520d8407f56da5131e133566e69ba3fb0e1ad1ab9fc66efd631fc56f3eb86ffdfe5dca4632527f6ddb10d4a4a9f2a777bded3c7e68d2f0d1ca06273b8f1dd2befcb28d6bc263a2a68c1a5bd7cd43eda5f4cccccd87f6aedfbf4bf57250633fe3e5dc788314a041acd8b9e5dcf5d0c923c7b40f089276539e9c96bae3d8a17f766cd6bd0b6f8314af0113efc5b0ebaf3efd5cf7d6eda40f2bc63e8c5bb973ebd623c1e5fc14c3d6e699d0cb1f2ffd7ef2c831ca6b47d540b26eff2e2deb294f6d6a3fa4cb5fad0a8562f1da15472f9c9d3c724caba601d22673576e87add8b9e578f1e8056abefde7f7d4f4b4eeaddb3b3b382a1445d20118ffddb5f5ccd54baf3cfd6cc7e6add4ba1152281467422ffdb56da3969f8a0cfe45a8cce3477be1945a74063c800f9f3bad8c52f905f9ca5e70d524a5a6dcb917ddb0b8379123e5f845c65096ae5b79f2f2f9a9a3c70536f2556b5e9e9b97b7fbc491a5eb5766e7e61acb8d9533cbfa1186fa93a78b727e1d4a62d84e56efc5c7bd3067c684c1c387f6e8231df3233e2961dbe1e0153bb7681cefb49a77f70aa0cac9bc8776a5142a93979bbbafb78f83adadb5a555465666725adacda808d581a7b4ff7569e7dfbc7e1d2f4b738bacdc9cbbb131674a686264f8034526f3f56ee057bfa19d8d4d5151516a467ae4fd7b3722c2757f9ac2501b5f9e0234207b1b5bff868debb8b8595958e41714a4a4a7dd8989ba157d57bf119fcb5fbc86656e6a16e4dbd4c3c9c5d6daa6b0b020393dede6dd8888d81885e44e54157e1dd4f878d6f5adefe3e2e058585494949a121e13753bfa6e85d666a987b4a1aad5dec6a6856f33677b476b4bcbec9c9cb8c4846b776e27a42419a40aac2c2c5afaf9bb3a38d95859e5e4e63e487878e5f6cd92c64eace82f428d3b1b5493d351a591cbe5ca9f8a727273150a85b3bd6350133f273b7b4b0b8b8cacac98b8fb57c36f65e53cbe2dbce19bc5622bc7874989c3de79558f136325ffc92be7d7a1d2fe1cfbd56f58cfdd431c11312125393aee41d8dd3b063f3f032010020000fc5fe716ad17be334b9c9ef8f1fbda7f73b1b6b0dcfbf3dfe2cded8b61d75ffbf2130a1000aa277a19050000a58bb8f7ff6771839a34d5be708fb61d944d9dcfddb84ae9010081100000d4600f121e2abbda1ed36fb096413bac2dad5e1a365a9c2e2a2a0a3e7d82d2030002210000a8d9361ed82b4e78b9b97f31ed7d71040e358e76f6dfbdfba1729cf79dc70e45c7dda7e800a0dae219420000a013b95cbe6cf67ce5983449a9293b8e1dba18763d2125c9c8c8c8cdd1b9ad7fe090aebd2ccccdc5056e45454e993f3b3b3797a2030002210000a8f16cacac16bcf5410bdf66a52e79f2f285cf7ffb29253d9d420380ea4c6eefeb4d290000005de4e5e7ef3a7ef841c223170747170747e9020a852234fcd68fabff5eb6694d0ef70601a0dae30e210000d087b3bd4313ef061ece2e56169682204bcfca78989478f5f6cdb4cc0c0a07006a0a638a000000e8212125392125997200801a8d5e4601000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000000022100000000804008000000002010020000000008840000000080aa654c115495537f6f1027aedc0e7b75de6c0a040000000081b0f63031361ed0b9bb20087b4e1cc92f28a88437020000000081b05a983bf59d1e6dda0b82d021a0c5474bbead84370200000080ee7886b002b50f6c214e746cdeb272de0800000000bae30e61050a09bdd4bd757b41104e875e32ec1b79fe100000000081b05afb78e9a2415dba2b148add278e56ce1b010000008040582de417e46f3d1c5c996f0400000000ddf10c21000000003ca1b843f87fd616962dfc9a79b9ba9b9b99656465dd8a8abc1a7e53a150a82e63626c1cd4a469fd3a5ed6969639b9b9d171f72f865dcbcecdadcefbe5ede1d9b44143473b7b531393ccececfb8fe26fde8d4848492ed34aac2c2cda07b6f074717b9894b8f7d4b1cadf8b865ef59a783770b4b5931919a5a4a7dd8a8a0c8f892a2a2ad2f1ed9e2e6ebe0d7c1c6c6cad2dad32b23293d3d36e4646c43e8aafc27ab134b70868d4a49ebb87958565564e4e624af2e55b37125353f826020000804058e1d4fa65993a7aec987e43cc4c4d559789897ff0e59f3f5f0cbb2efe7768f7deaf3d33deceda4675998cacccbfb66d5cb567bb5a741404e1d7d9f39a37f613a73b3e3f4af76d2be98dca6d566aded84f3953fa1183baf498307878fd3a5e6af3150ac585b06b3faffff7da9ddbba144ebf8e5da74f7cd9dad24a9c7935fce6866f96c86432411042422fbff5cde7da77c7c2dc7cf74f7f8a65abcbf2ff3940e5f211bdfa8f1df094bbb38bda4b89a929ebf7ef5abd677b5e7e7e496f37313619dd77e0889efdbcdcdca5afde8b8fdb7c68dffafdbbf30bf27529073daa4ce37aac2dad5e1b3d6e6097eee6a6666af572f956d892752b42c36f716e0200004025a0c9a82008429ff69d270e19a996060541a8ebe6b1e8fd8f3b05b51204a14db3c0992f4e514b838220585b5a4d7b76e28ce75fa9567b64626cfcf59b333e9e3c4d9a06054190c964ad9b06fcfad1bcbe1dba94ba2a4f57f7992f4e51a6414110ee3f7a78f1e6e390dca659a0bd8dadf635746dd95659b63b8e1dd27d2f3c5ddcfef9fcdb77c74f92a64141109cececa78c1abbfcd3af3d5ddc34beddc7abde9aaf7e78e3d9891ad3a020085e6eee6f3c3b71cd573ff878d6adb4aab13033fbf3d3af46f4eaa79606c57a69e1db74d9ecf993478ce15b090000804a409351c1d4c4f4b567c629148a4d07f71d3a7b2aaf20bf7e1dafe7fa3fd5c0d34b1004531393d92fbffec29c19b327bf2e93c94e5db9b8f1c09ea4d4d43a2eae4f75efdd3e20485cc9f09e7d4f5db970f4c2d90addd443e74e8b133ddb7410275233d22f845d932ef9f1e469dd5ab713a76f44866f3ab0372236c6c8c8c8d3c56d70d79e6dfd9b0b822097cb3f7c696a68f8ad07090f4bfcc14066f4c92bd32cccccf20bf2f79e3c76eaeac5f8c4044110761c3dd8cacf5f10042323a31e6dda6f39b45fcb66f76ed7499cc8c8ca3c72fe8c8e3bebe3556fc9cc4f9569f3f4d58bfb4e1d8f7a106b24336a58b7deb01e7d9a3668242ef6d3cc3993e77ea8d6d8d2afbecf8f33e6d8583dceb1f7e2e3761d3f7c2de2766a46ba9db58dbf4fe3415d7a8841b18e8beb2f1fcd7b73c1676177232ae1789bf6ecc4ba6e1e82209cbb7e75ffe9e3510f620b0a0b3d5dddfbb6efdca5651b31164e1a3eba48a1f863cb3abe9e0000002010562cbffa3e82207cfdd7afca5473f5f6cdddc70ffff2d13cff868d054170b0b5fbf3d3af9decec779f38f2f96f8bc5a6a13722c30f849c7c77fca4d17d0789ef1ad37f484507c20f7f5a284e289b20463d8855ce546aebdf5c79eb6fdfa9639f2dfb49f9ac5d68f8adbda78ebd37e1e5517d060882606e6a36a257bfa5eb5696f489cd1a363692c96e47df9df9e382fb8ffe9f1b0f9d3dfdfec4972dcd2d0441e8d3beb3964068696ed121b0c5e38d397d5c4bf34e55d616965fbd395d4c83f905f99ffefae3c19053ca5743efdcda76e4c0945163270e1921088287b3eb8ce75ff9e0c705aa1f3a6fda7bca34b87acff69fd7ff9b5f50a05c2024f4f2ca5d5ba68e1ef7dc80a70441b0b1b29a37edbd09b3dfcbcec9a9d01a6c50a76e6023df9cbcdcb9bffea48cf782205cbb737bdfa963bdda759c3be56db95c2e08c2a4e1a3cf845ea2ed280000002a144d461f070cb548535058b878ed3fcaff3ad9d967e7e47cb7e20fb5070597aefb579970021bf91acbe5d5617786f7e82b4e64e7e42c5cf1bbb4e795df37af55ee8878a3afc4e343264b48497eeb9bcf55d3a020083979b9ca84d6d2cfdfd1cebea435746bd5d6d4c4449cde7154d7f6a2af3cfdac781b4d1084cf7f5bac9a06450a85e2e7f5ff9eb87cfef1a7b46ee75bdfe7ff6f1f3946d98e7443f09e1f57ffad9a0645f905053faefe7b43f01ef1bf9e2e6eaf8e7cb6a2abc6c6ca4a26937dbcf47bd534a87430e4d40fabff5696fc3be326f1dd0400000081b0c26d3b72403af36af82dd5ee430f9e3d95919da5b64c4e5eee95db61e2b489b1b193bd4375d89d564d03c489b3d7afa667664a1748cd488f897ff03808b9ba6b5fdbdfdb3725a7a54ae7ef387650195d7ab5ed50d2db95ed452362636e4486ebb2fd0eb67643bbf711a7cf5cbdb4fff48992965cb6718d727a70971ecad035b438123f4878b864ed0a2d9fb564ed8ab88447e2f4d01e7d9537152bce91f3678e5f3c57d2ab1b837747dc8b16a79bf9346ae6d388af27000000088415ebc2f550e9ccc2c2c247c989caff9ebf11aaf1bdca38210882ad957595ef8bb15cbef7e491b5fb76aeddb77367716693cac87a1c6ead2cccb5af30f88ce63c76f956d8bdf838b5d4a7c6cac2a27de0e3c72c771c3da8e32ef46adb41d909cda643fbb42c792b2a32ea41ac381dd4a4a972632ccccc8af3d59e9c3c6d8382e4e4e56e3cb8579cb630332b69470c68ebe1602daf1629149b556e56776dd996af270000002a303e5004b97979258d47a7fa4459646c8cc665b272ffbf8cb26d64152a282c5cb4eaaf52172b2c2c2c0e90da8e81f8c48494f4b4925edd79fcd0ab4f3f270842f3264d9ded1d135292d416e8d6aa9d89b189f8717b4e1ed571175af93dbec3a95028346675552fcffdd0ccc4448c526a6f1704e1f0b9d2fbb0391472eaf567c617bfd75f7b0739e554a4505cbe15a67d996317cfbe37e125713ab0b12fdf5000000010082bd04395db806af20bffffe0597c92e6c5541f4e931bc9abe10eba393a7bd7f1f4747573b4b53737353537333796cbebb83e7ec44e1c4eb024c925a7414110761f3f3279e4b3463299d86a74ddfe5d6a0bf46efff886db89cb1734b63bd5a8515d6f651c9536d35593919599f1df39bede0dc489d48c745d869e8f7d149f969921deddf5f5f6a9d0ba884f7c9495935dda3209caedf12aad412f00000040202c97acec122fd055bb6329e93a5e7519add9aa0a72e033fd06756dd556d93b8b1ef2f2f3b44597a48473d7aeb40b081204a14ffbce6a81d0dad2aa9d7f99db8b0a826067f378b0c7f4ac4c3db6d9def6f148158929c93abe253125450c60ca8f2e2b23239d5a5f2b5bea6a9790922c6e4f7568840c00000002616da6e340083a2e561dc864b217878d7a71e828d55e4f0b0b0b93d252b373738a8a8a2ccccc9dec1d0cd227ea8e6387c44018d0a8899ba3737c5282f2a5eeaddb99181b0b8290949a72f2ca05ddd7696d61294ee46a8da325b132b7789ce173751d434299f6951f5d561666e6ba2c96addb2629db2a1b1bf30d0500000081b0222904854e8b291435658fde9ff8f2c85efdc5e9f4ccccf5fb771db91012191ba3dabaf5d7d9f39a37f62bff671d397f26232bd3dad24a2693f56ad771f59eedca97941db4ec3e7954f9c8a22e72f2f2ac2c2c0441b0d42d65a9c9ccc9166face9fe76cbe20c596a0bd57206422399916e6b332baebe0cbea1000000a838f4325adbb40b0852a6c1f098a8673e78e3b7cd6b6f45454a07e23388bcfcfce03327d512a020083656566dfd9b8bd35a3a3bd528a3b8a5a838307d59297bc1717670d4f12dcec5e385a4a6a76b5cc044eb9d3ab95ceee6e8a4cb0759e97607d2ae78c75333088400000020104267c37b3e1e824fa150ccf97951497d849a9a981aea13950312fa376ceceeec224e776fdd5e6c927a3d223c32f65e9956f820e1a138e16867af4726bc1515294ed85a597bead0298ba7abbb72f8c19bc5ef151514dfd854de422c610d6e72dddadfba3a3a1995f6a4a9a39dbd939dbd387d3b3a92431a0000000442e8cadfa7b13811fb303ea284a132044170d1f9ee59a9aeddb97df7fee3c8a7bc49d8a77862fbd1037aac5039ddd63f50cb9272b9fcdb773ffce983393f7d3067dca061e2cc0b61d7940bf46cdba1d48feba5b2ccc59bd7545f52f6a9a33d102afbce2995958545a37af5b52fd321b08572fad2ad1b1cd20000002010423399a07ebbc9c1d64e9c48cf2ab1b5613d8f3aca7b5006b1f3f8e1c739b07d6741106cadacdb340b140421372f2ff8f489b2ae2de4da15e5f490aebdb426b1e69d825ab56916d8a659a072588b03674e2a07a37fba577f7353332d6b3037357bbaf700713a272ff74071f3579172d40d677b0767fb122374bf0e5d74dfbbe13dfa6aab50994cb93df905f947cf877090030000804058abeb4056e65a50f670636262a2f6526671b7285eae1e25b5639c307884ea7f4d252b29ab3d278e88c36ff8d5f7f17475efd1a6bdf8d147ce9fd1a39b96b3d7ae44c7dd7f1cf90282bab56ea77131b95cfecad3cf89d369991987ce9d564e6f3ff2f8b6a4bbb3cbeb632668f9acd7c74c70737216a7b71d3990f6df4e5ca21fdc57e6b4019dbb695c43b7566dcb347cfcd0eebd839a94d89dcfa83e039bf93412a7771d3f92989ac2170400000004c2daacaebb879969d99ee8538e81e1e9e2a6f64c5a68f82d71c2c6caead9fe43a4ef1ddd77d090ae3d55e768bf87a68b8494e453572f8ad3bddb75eafdfff6a207f5589b42a1f875e36ae57f3f7df52d65ff34aa21f693c9d3fcea3f1e47fe9fed9b9443350882f0ebc6d5ca071147f51930edd989d25e614c8c8ddf7876e2a83e8f6fc73d4878b84ce5434547ce9f514ebf32728c7fc3c66a0b34f369f4f12b6f28140ae5fdc952c9e5f285efccea10d852fad2b01e7dde1efb8238fd2839e9970dabf876000000a04231ec449549cbcc783c18bab5cd9f73be8a888df978e9f73abe373e29a19e7b1d31f54d1d3d6ecfc9a3f98505e2edacb5fb767669d9465c6cda98094d1b343c70e6e4fd84877223236f0fcf415d7ab4691698929e7e353cac6bcbb68fa3a3a5555ab98737d875ec70e7a0d682203cd5ad9787b38b200871098fcedf08d56f6d07434e6d6eba6f44af7e8220589899fd30fde3e033270e849c8a4b7c646166e6efd37844af7eca0e634e5fbda83adc85200899d9d9b3977cf7c38c4fc47105c70d1cdaad55db9dc70e5d8f08178bddbf61e3c15d7a7ab93d5e434656e6ec25df656667abefd4f123cff41bece359571004136393a5b3e66e39bcffe4e50bc969a98eb6f65d5ab619d6a38fb15cbeefd43177671765635d2d6e47dfb5b6b4f47076fdfefd8f4e5ebe107ce644d48358b95cdea08ed7c0ce3d5af8361517cbcac99ef5d3372575080400000010086bbc93972f0ce8f4b815a28f573d1faf7aba07c253572e8a81501084f183878f1f3c3cec6ec48b7366088270eefad5e5db36bc387494f8aaeafd3aa595bbb6d8585a2903a18ba353eca3f872eeceb18b675333d2edac6d94296be7f143e519bcf19b7f7ecbcac916bb8a91c9647d3b74e9abe951bde03327e62e5b5c24f9a0eb11e153e77ffccddb33c58e4febba794c193556e307c5253c9abee8abf09828e94bf905f91ffcf0f5e20f3e159b959a9a983cd377d0337d07a92e93979fbf6ce39a4f5e7d43979dcacecd59b276c5a2e91f0b82d029a855a7a056d265621fc5cff8fe2b2d1d0201000000864293d12af3ed3fbfafddbb232ee1514161617e417e424ab2eeeffd6bdb86b0bb1125bdba6ce39a8f967c1b13ff40fa527a66e63f3b36addfbfebbe4a0274d56d0c3dedf20b0af69d3aa6fcaf42a1d855dcd38c7e140ac5e2b52b5e9d37fbdcf5ab459a82e595db61d3177df5f1d2eff30bf235ae213c266acccc3717af5d5152dc8d7d14bf78ed8a3133dfd4980645f7e2e39eff64fab62307a49f52505878f0eca9f11fbd5ba6387d26f4f2c74bbf573e24a9ea6152e2e2b52bc6ce7a9b3408000080ca21f31eda9552a891352793b5f36f5ebf8e97a5b945566eceddd89833a197d516f0f56ee057bfa19d8d4d5151516a467ae4fd7b3722c29563eb199c6f7d9fbf3e5b204e9fbf113aedab4f0db5667b1b9b16becd9ced1dad2d2db37372e21213aeddb99d9092a4fb1abcdcdc7dbd7d1c6c6dad2dad32b23293d3d26e4645dc8b8fd37d0dd69656418dfdbcdcdc2dcd2db272b2ef3d8cbb7afba68e4d6d4ffdbd4119625f9d375b9cf6f1aceb5bdfc7c5c1b1b0a8282935253c26ea76f45d0e6c00000054269a8cd6540a85e24ce865b510a8b640d8dd082d37120dee4e4c544e5eaed845cd0ebdba9329494a7afae17367cab3867bf171658a7f52195999272e9f37e04e45c4c6702710000000558b26a33098eeaddb8b6930253dede0d95314080000004020c49371241919bd38ec714f36eb83772b07c6000000004020442df7d6d8171a7ad5130421293565cd9e1d140800000050fdf10c21f4e757dfc7c8c8a89e7b9da7fb0c0868d8449cf9f55fbf66e5645338000000008110b5d9f2e23e45957e5ebfeae885b3940c0000004020c413242125e9c7d57fef3f7d82a2000000006a0ac62184fec60f1e6e6a6292959d1d111b7331ec5a7e4101650200000010080100000000d51dbd8c02000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000000044200000000008110000000004020040000000010080100000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000000002210000000080400800000000201002000000000884000000004020a408000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000000221000000008040080000000020100200000000088400000000402004000000001008010000000004420000000000811000000000402004000000001008010000000004420000000000811000000000402004000000001008010000000004420000000000811000000000402004000000001008010000000004420000000000811000000000fed7debdd300100201140c093e50424b891a649ca26b3186052ac267c601bbd5cb1620080100001084000000084200000004210000008210000000410800008020040000108400000008420000000421000000821000000041080000802004000040100200002008010000108400000008420000000421000000821000000041080000802004000040100200002008010000108400000008420000000421000000821000000041080000802004000040100200002008010000042100000082100000004108000080200400004010020000200801000010840000000842000000f6175f7bf0dfb2addfad7cdd10000060860b21000080200400004010020000200801000010840000000842000000042100000082100000807384547dd40e0000f02217420000004108000080200400004010020000200801000010840000000842000000042100000082100000004108000080200400004010020000200801000010840000000842000000042100000082100000004108000080200400004010020000200801000010840000000842000000042100008020040000401002000020080100001084000000084200000004210000008210000000410800008020040000401002000020080100001084000000084200000004210000008210000000410800008020040000401002000020080100001084000000084200000004210000008210000040101a0100008020040000401002000020080100001084000000084200000004210000008210000000410800008020040000401002000020080100001084000000ac3700c2924835b70e76420000000049454e44ae426082', '2026-11-26 23:09:57.048252+00');


--
-- Data for Name: audiences; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.audiences VALUES ('soldier-defections-myanmar', 1, 'research', 4, '2026-11-26 23:09:57.041272+00');


--
-- Data for Name: audit; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.audit VALUES (1, '2026-11-26 23:09:56.982795+00', 'imported', NULL, 'research', 'import', 'people.csv: 6 added, 0 updated, 0 unchanged, 0 rejected');
INSERT INTO fixture_r1.audit VALUES (2, '2026-11-26 23:09:56.984486+00', 'subscribed', 'pending@example.org', 'research', 'web', 'was new');
INSERT INTO fixture_r1.audit VALUES (3, '2026-11-26 23:09:56.991855+00', 'unsubscribed', 'bob@example.org', 'research', 'one-click', NULL);
INSERT INTO fixture_r1.audit VALUES (4, '2026-11-26 23:09:56.995135+00', 'bounced', 'bounced@example.org', '*', 'bounce', '550 5.1.1 user unknown');


--
-- Data for Name: deliveries; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.deliveries VALUES (7, 'soldier-defections-myanmar', 2, 'part-3', NULL, 'sent', 1, NULL, 2, 'outbox:soldier-defections-myanmar/2/3', 'file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-02-x-part-3.json', 'posted file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-02-x-part-3.json', '{"text": "Why do most stay? Ideological programming, isolation, patron-client ties, punishments, and fear for their families\u2019 safety.\n\n3/4", "of": 4, "remote": {"cid": "outbox"}}', '2026-11-26 23:09:57.162843+00');
INSERT INTO fixture_r1.deliveries VALUES (8, 'soldier-defections-myanmar', 2, 'part-4', NULL, 'sent', 1, NULL, 2, 'outbox:soldier-defections-myanmar/2/4', 'file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-02-x-part-4.json', 'posted file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-02-x-part-4.json', '{"text": "More defections need protection and livelihoods for defectors, and trust in a reformed military. Read the report by Ah Lynn and Helene Maria Kyed: https://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar?utm_source=x&utm_medium=social&utm_campaign=soldier-defections-myanmar\n\n4/4", "of": 4, "remote": {"cid": "outbox"}}', '2026-11-26 23:09:57.164858+00');
INSERT INTO fixture_r1.deliveries VALUES (9, 'soldier-defections-myanmar', 3, 'part-1', NULL, 'sent', 1, NULL, 3, 'outbox:soldier-defections-myanmar/3/1', 'file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-03-mastodon-part-1.json', 'posted file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-03-mastodon-part-1.json', '{"text": "New #DIIS report: Soldier Defections in Myanmar.\n\nSince Myanmar\u2019s 2021 coup an estimated 2,000 soldiers have defected. Drawing on defectors\u2019 own voices, Ah Lynn and Helene Maria Kyed explore what drives defection (moral outrage, demoralisation, the opposition\u2019s support) and what holds soldiers back.\n\nhttps://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar?utm_source=mastodon&utm_medium=social&utm_campaign=soldier-defections-myanmar\n\n#Myanmar #Tatmadaw", "of": 1, "remote": {"cid": "outbox"}}', '2026-11-26 23:09:57.222524+00');
INSERT INTO fixture_r1.deliveries VALUES (1, 'soldier-defections-myanmar', 1, 'ann@example.org', 1, 'queued', 1, NULL, 1, NULL, NULL, 'fixture: queued', NULL, '2026-11-26 23:09:57.069374+00');
INSERT INTO fixture_r1.deliveries VALUES (2, 'soldier-defections-myanmar', 1, 'carla@example.dk', 3, 'sending', 1, NULL, 1, NULL, NULL, 'fixture: sending', NULL, '2026-11-26 23:09:57.071744+00');
INSERT INTO fixture_r1.deliveries VALUES (3, 'soldier-defections-myanmar', 1, 'dan@example.org', 4, 'failed', 1, NULL, 1, NULL, NULL, 'fixture: failed', NULL, '2026-11-26 23:09:57.073064+00');
INSERT INTO fixture_r1.deliveries VALUES (4, 'soldier-defections-myanmar', 1, 'eve@example.org', 5, 'bounced', 1, NULL, 1, NULL, NULL, 'fixture: bounced', NULL, '2026-11-26 23:09:57.07432+00');
INSERT INTO fixture_r1.deliveries VALUES (5, 'soldier-defections-myanmar', 2, 'part-1', NULL, 'unknown', 1, NULL, 2, 'outbox:soldier-defections-myanmar/2/1', 'file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-02-x-part-1.json', 'fixture: unknown', '{"text": "Since the 2021 coup, an estimated 2,000 soldiers have defected from Myanmar\u2019s military. Few against a 300-350,000 strong army, but a significant symbolic blow to its coherence and legitimacy. New #DIIS report:\n\n1/4", "of": 4, "remote": {"cid": "outbox"}}', '2026-11-26 23:09:57.15794+00');
INSERT INTO fixture_r1.deliveries VALUES (6, 'soldier-defections-myanmar', 2, 'part-2', NULL, 'suppressed', 1, NULL, 2, 'outbox:soldier-defections-myanmar/2/2', 'file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-02-x-part-2.json', 'fixture: suppressed', '{"text": "Why do they leave? Moral outrage at the killing of civilians, and deep demoralisation with an unjust, corrupt and exploitative military organisation.\n\n2/4", "of": 4, "remote": {"cid": "outbox"}}', '2026-11-26 23:09:57.160755+00');
INSERT INTO fixture_r1.deliveries VALUES (10, 'soldier-defections-myanmar', 4, 'part-1', NULL, 'sent', 1, NULL, 4, 'outbox:soldier-defections-myanmar/4/1', 'file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-04-bluesky-part-1.json', 'posted file:///tmp/tmp4dzt09hv/outbox/posts/soldier-defections-myanmar/step-04-bluesky-part-1.json', '{"text": "Why do Myanmar\u2019s soldiers defect, and why do most stay? New #DIIS report by Ah Lynn and Helene Maria Kyed, drawing on defectors\u2019 own voices.\n\nhttps://example.org/PLACEHOLDER-report-url/soldier-defections-myanmar?utm_source=bluesky&utm_medium=social&utm_campaign=soldier-defections-myanmar", "of": 1, "remote": {"cid": "outbox"}}', '2026-11-26 23:09:57.697487+00');


--
-- Data for Name: dispatchers; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.dispatchers VALUES ('fixture-host:4242', '2026-11-26 23:09:57.721118+00', '2026-11-26 23:09:57.721121+00');


--
-- Data for Name: memberships; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.memberships VALUES (1, 'research', 'active', 'import', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.memberships VALUES (3, 'research', 'active', 'import', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.memberships VALUES (4, 'research', 'active', 'import', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.memberships VALUES (5, 'research', 'active', 'import', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.memberships VALUES (6, 'research', 'active', 'import', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.memberships VALUES (7, 'research', 'pending', 'web', '2026-11-26 23:09:56.984486+00');
INSERT INTO fixture_r1.memberships VALUES (2, 'research', 'unsubscribed', 'one-click', '2026-11-26 23:09:56.992339+00');


--
-- Data for Name: meta; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.meta VALUES ('schema_version', '1');
INSERT INTO fixture_r1.meta VALUES ('secret:tokens', '9QNrXCL_9XF1fAP9U5D7x5l5R8rnQ4I3OnIRnHEQXdI');


--
-- Data for Name: runs; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.runs VALUES (1, 'soldier-defections-myanmar', 1, 'vm', 15195, '2026-11-26 23:09:57.056252+00', '2026-11-26 23:09:57.056252+00', '2026-11-26 23:09:57.077486+00');
INSERT INTO fixture_r1.runs VALUES (2, 'soldier-defections-myanmar', 2, 'vm', 15195, '2026-11-26 23:09:57.154654+00', '2026-11-26 23:09:57.154654+00', '2026-11-26 23:09:57.166224+00');
INSERT INTO fixture_r1.runs VALUES (3, 'soldier-defections-myanmar', 3, 'vm', 15195, '2026-11-26 23:09:57.220376+00', '2026-11-26 23:09:57.220376+00', '2026-11-26 23:09:57.223727+00');
INSERT INTO fixture_r1.runs VALUES (4, 'soldier-defections-myanmar', 4, 'vm', 15195, '2026-11-26 23:09:57.695146+00', '2026-11-26 23:09:57.695146+00', '2026-11-26 23:09:57.699089+00');


--
-- Data for Name: steps; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.steps VALUES ('soldier-defections-myanmar', 1, '/tmp/tmp4dzt09hv/campaigns/soldier-defections-myanmar.toml', 'email', 'email', 'email', '2026-12-26 23:10:57+00', 'scheduled', NULL, '2026-11-26 23:09:57.703702+00');
INSERT INTO fixture_r1.steps VALUES ('soldier-defections-myanmar', 2, '/tmp/tmp4dzt09hv/campaigns/soldier-defections-myanmar.toml', 'post', 'x', 'posts[0]', '2026-12-26 23:11:57+00', 'scheduled', NULL, '2026-11-26 23:09:57.703702+00');
INSERT INTO fixture_r1.steps VALUES ('soldier-defections-myanmar', 3, '/tmp/tmp4dzt09hv/campaigns/soldier-defections-myanmar.toml', 'post', 'mastodon', 'posts[1]', '2026-12-26 23:12:57+00', 'scheduled', NULL, '2026-11-26 23:09:57.703702+00');
INSERT INTO fixture_r1.steps VALUES ('soldier-defections-myanmar', 4, '/tmp/tmp4dzt09hv/campaigns/soldier-defections-myanmar.toml', 'post', 'bluesky', 'posts[2]', '2026-12-26 23:13:57+00', 'scheduled', NULL, '2026-11-26 23:09:57.703702+00');


--
-- Data for Name: subscribers; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.subscribers VALUES (1, 'ann@example.org', 'ann@example.org', 'Ann Andersen', '{"organisation": "Ministry of Defence"}', '2026-11-26 23:09:56.972648+00', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.subscribers VALUES (2, 'bob@example.org', 'bob@example.org', 'Bob Berg', '{}', '2026-11-26 23:09:56.972648+00', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.subscribers VALUES (3, 'carla@example.dk', 'carla@example.dk', 'Carla Ørsted', '{"organisation": "Aarhus Universitet"}', '2026-11-26 23:09:56.972648+00', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.subscribers VALUES (4, 'dan@example.org', 'dan@example.org', NULL, '{"organisation": "Press"}', '2026-11-26 23:09:56.972648+00', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.subscribers VALUES (5, 'eve@example.org', 'eve@example.org', 'Eve Example', '{}', '2026-11-26 23:09:56.972648+00', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.subscribers VALUES (6, 'bounced@example.org', 'bounced@example.org', 'Bounce Target', '{}', '2026-11-26 23:09:56.972648+00', '2026-11-26 23:09:56.972648+00');
INSERT INTO fixture_r1.subscribers VALUES (7, 'pending@example.org', 'pending@example.org', 'Pending Person', '{}', '2026-11-26 23:09:56.984486+00', '2026-11-26 23:09:56.984486+00');


--
-- Data for Name: suppressions; Type: TABLE DATA; Schema: fixture_r1; Owner: -
--

INSERT INTO fixture_r1.suppressions VALUES ('bob@example.org', 'research', 'unsubscribed', NULL, '2026-11-26 23:09:56.990923+00');
INSERT INTO fixture_r1.suppressions VALUES ('bounced@example.org', '*', 'bounced', '550 5.1.1 user unknown', '2026-11-26 23:09:56.994743+00');


--
-- Name: approvals_id_seq; Type: SEQUENCE SET; Schema: fixture_r1; Owner: -
--

SELECT pg_catalog.setval('fixture_r1.approvals_id_seq', 1, true);


--
-- Name: audit_id_seq; Type: SEQUENCE SET; Schema: fixture_r1; Owner: -
--

SELECT pg_catalog.setval('fixture_r1.audit_id_seq', 4, true);


--
-- Name: deliveries_id_seq; Type: SEQUENCE SET; Schema: fixture_r1; Owner: -
--

SELECT pg_catalog.setval('fixture_r1.deliveries_id_seq', 10, true);


--
-- Name: runs_id_seq; Type: SEQUENCE SET; Schema: fixture_r1; Owner: -
--

SELECT pg_catalog.setval('fixture_r1.runs_id_seq', 4, true);


--
-- Name: subscribers_id_seq; Type: SEQUENCE SET; Schema: fixture_r1; Owner: -
--

SELECT pg_catalog.setval('fixture_r1.subscribers_id_seq', 7, true);


--
-- Name: approvals approvals_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.approvals
    ADD CONSTRAINT approvals_pkey PRIMARY KEY (id);


--
-- Name: apscheduler_jobs apscheduler_jobs_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.apscheduler_jobs
    ADD CONSTRAINT apscheduler_jobs_pkey PRIMARY KEY (id);


--
-- Name: archive archive_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.archive
    ADD CONSTRAINT archive_pkey PRIMARY KEY (campaign);


--
-- Name: audiences audiences_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.audiences
    ADD CONSTRAINT audiences_pkey PRIMARY KEY (campaign, step);


--
-- Name: audit audit_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.audit
    ADD CONSTRAINT audit_pkey PRIMARY KEY (id);


--
-- Name: deliveries deliveries_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (id);


--
-- Name: dispatchers dispatchers_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.dispatchers
    ADD CONSTRAINT dispatchers_pkey PRIMARY KEY (id);


--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (subscriber_id, list);


--
-- Name: meta meta_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.meta
    ADD CONSTRAINT meta_pkey PRIMARY KEY (key);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: steps steps_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.steps
    ADD CONSTRAINT steps_pkey PRIMARY KEY (campaign, step);


--
-- Name: subscribers subscribers_email_key; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.subscribers
    ADD CONSTRAINT subscribers_email_key UNIQUE (email);


--
-- Name: subscribers subscribers_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.subscribers
    ADD CONSTRAINT subscribers_pkey PRIMARY KEY (id);


--
-- Name: suppressions suppressions_pkey; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.suppressions
    ADD CONSTRAINT suppressions_pkey PRIMARY KEY (email, list);


--
-- Name: deliveries uq_deliveries_target; Type: CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.deliveries
    ADD CONSTRAINT uq_deliveries_target UNIQUE (campaign, step, target);


--
-- Name: ix_approvals_campaign; Type: INDEX; Schema: fixture_r1; Owner: -
--

CREATE INDEX ix_approvals_campaign ON fixture_r1.approvals USING btree (campaign, id);


--
-- Name: ix_apscheduler_jobs_next_run_time; Type: INDEX; Schema: fixture_r1; Owner: -
--

CREATE INDEX ix_apscheduler_jobs_next_run_time ON fixture_r1.apscheduler_jobs USING btree (next_run_time);


--
-- Name: ix_deliveries_work; Type: INDEX; Schema: fixture_r1; Owner: -
--

CREATE INDEX ix_deliveries_work ON fixture_r1.deliveries USING btree (campaign, step, state, id);


--
-- Name: ix_memberships_list_status; Type: INDEX; Schema: fixture_r1; Owner: -
--

CREATE INDEX ix_memberships_list_status ON fixture_r1.memberships USING btree (list, status, subscriber_id);


--
-- Name: deliveries deliveries_subscriber_id_fkey; Type: FK CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.deliveries
    ADD CONSTRAINT deliveries_subscriber_id_fkey FOREIGN KEY (subscriber_id) REFERENCES fixture_r1.subscribers(id) ON DELETE SET NULL;


--
-- Name: memberships memberships_subscriber_id_fkey; Type: FK CONSTRAINT; Schema: fixture_r1; Owner: -
--

ALTER TABLE ONLY fixture_r1.memberships
    ADD CONSTRAINT memberships_subscriber_id_fkey FOREIGN KEY (subscriber_id) REFERENCES fixture_r1.subscribers(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict VBaFYUq63dj3nH1hW5FNx3tFqUisFxRhaBEarSq3SMw0hXz43oPIH6Z8fhcsysW

