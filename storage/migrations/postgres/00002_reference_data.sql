-- +goose Up
-- Overvecht's partners, programmes and lists, from the council letter.
-- Administrators add to these; slugs are stable API values.
INSERT INTO organisations (slug, name, receives_handovers) VALUES
    ('al-amal', 'Al Amal', TRUE),
    ('dock', 'DOCK', TRUE),
    ('dok030', 'DOK030', TRUE),
    ('gemeente', 'Gemeente Utrecht', TRUE),
    ('buurtteam', 'Buurtteam Overvecht', TRUE),
    ('buurtteam-jeugd-gezin', 'Buurtteam Jeugd & Gezin', TRUE),
    ('werkwinkel', 'Werkwinkel', TRUE),
    ('taalalliantie', 'Taalalliantie', TRUE),
    ('u-centraal', 'U-Centraal', TRUE),
    ('werk-en-inkomen', 'Werk en Inkomen', TRUE),
    ('uwv', 'UWV', TRUE),
    ('voedselbank', 'Voedselbank', TRUE),
    ('portaal', 'Portaal', TRUE),
    ('woonin', 'Woonin', TRUE),
    ('mitros', 'Mitros', TRUE),
    ('schuldhulp', 'Schuldhulpverlening', TRUE);

INSERT INTO programmes (slug, name, organisation_id) VALUES
    ('hoop', 'HOOP in Overvecht', (SELECT id FROM organisations WHERE slug = 'al-amal')),
    ('weggeefbus', 'Weggeefbus', (SELECT id FROM organisations WHERE slug = 'dock')),
    ('buren-helpen-buren', 'Buren Helpen Buren', (SELECT id FROM organisations WHERE slug = 'dok030')),
    ('bewonersverbinders', 'Bewonersverbinders', (SELECT id FROM organisations WHERE slug = 'gemeente')),
    ('buurtteam-overvecht', 'Buurtteam Overvecht', (SELECT id FROM organisations WHERE slug = 'buurtteam'));

INSERT INTO neighbourhoods (slug, name_nl, name_en, sort) VALUES
    ('zambesibuurt', 'Zambesibuurt', 'Zambesibuurt', 1),
    ('themadreven', 'THEMAdreven', 'THEMAdreven', 2),
    ('3s-dreven', '3S-dreven', '3S-dreven', 3),
    ('overig-overvecht', 'Overig Overvecht', 'Rest of Overvecht', 4),
    ('buiten-overvecht', 'Buiten Overvecht', 'Outside Overvecht', 5);

INSERT INTO topics (slug, name_nl, name_en, sort) VALUES
    ('rondkomen', 'Rondkomen', 'Making ends meet', 1),
    ('schulden', 'Schulden', 'Debts', 2),
    ('armoederegelingen', 'Armoederegelingen', 'Poverty schemes', 3),
    ('taal', 'Nederlandse taal', 'Dutch language', 4),
    ('digitale-vaardigheden', 'Digitale vaardigheden', 'Digital skills', 5),
    ('werk', 'Werk', 'Work', 6),
    ('eenzaamheid', 'Eenzaamheid', 'Loneliness', 7),
    ('opvoeden', 'Opvoeden', 'Parenting', 8),
    ('gezondheid-zorg', 'Gezondheid en zorg', 'Health and care', 9),
    ('verhuizen-renovatie', 'Verhuizen door renovatie', 'Moving because of renovation', 10),
    ('veiligheid', 'Veiligheid', 'Safety', 11);

INSERT INTO outcomes (slug, name_nl, name_en, sort) VALUES
    ('informatie-gegeven', 'Informatie gegeven', 'Information given', 1),
    ('regeling-aangevraagd', 'Regeling aangevraagd', 'Scheme applied for', 2),
    ('betalingsregeling', 'Betalingsregeling getroffen', 'Payment arrangement made', 3),
    ('schuldhulptraject', 'Schuldhulptraject gestart', 'Debt trajectory started', 4),
    ('inzicht-financien', 'Inzicht in financiën gegeven', 'Insight into finances given', 5),
    ('warme-overdracht', 'Warme overdracht gedaan', 'Warm handover made', 6),
    ('activiteit-maatje', 'Gekoppeld aan activiteit of maatje', 'Linked to an activity or a buddy', 7);

INSERT INTO contact_kinds (slug, name_nl, name_en, sort) VALUES
    ('deur-aan-deur', 'Deur aan deur', 'Door to door', 1),
    ('spreekuur', 'Spreekuur', 'Drop-in hour', 2),
    ('straat-bus', 'Straat / bus', 'Street / bus', 3),
    ('huisbezoek', 'Huisbezoek', 'Home visit', 4),
    ('telefoon', 'Telefoon', 'Phone', 5),
    ('groep', 'Groepsbijeenkomst', 'Group meeting', 6);

-- +goose Down
DELETE FROM contact_kinds;
DELETE FROM outcomes;
DELETE FROM topics;
DELETE FROM neighbourhoods;
DELETE FROM programmes;
DELETE FROM organisations;
