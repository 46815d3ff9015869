"""Trainings (培训), events (招聘会, 宣讲会, 政策咨询, 创业活动, 陪跑计划), registrations, subsidy
eligibility, nearby search and training recommendations. Stored in `data.activity_tables`."""
